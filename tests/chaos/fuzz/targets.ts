import type { Transform } from 'node:stream'
import pino from 'pino'
import { parsePanelLine, parseReceiverMessage } from '../../../adapters/contact-id/codec.js'
import { ContactIdFramer, type ContactIdFrame } from '../../../adapters/contact-id/framer.js'
import { createDecoder, decodeEvent } from '../../../adapters/contact-id/decode.js'
import { ContactIdDeviceSchema } from '../../../adapters/contact-id/config.js'
import type { FramerItem } from '../../../adapters/transport/framer.js'
import { decodeFrame as decodeOsdp } from '../../../adapters/osdp/codec.js'
import { OsdpFramer } from '../../../adapters/osdp/framer.js'
import { interpretReply } from '../../../adapters/osdp/pd-replies.js'
import { decodeWiegand } from '../../../adapters/osdp/wiegand.js'
import { decodeResponse, ModbusException, type ModbusRequest } from '../../../adapters/modbus/codec.js'
import { RtuFramer } from '../../../adapters/modbus/framer.js'
import { MbapFramer, fromMbap } from '../../../adapters/modbus/mbap.js'
import { withCrc } from '../../../adapters/modbus/crc.js'
import { classify, parseNotification } from '../../../adapters/onvif/notification.js'
import { parsePullMessages } from '../../../adapters/onvif/responses.js'
import { NS, parseXml } from '../../../adapters/onvif/xml.js'
import { decodeFrame as decodeDc09 } from '../../../cloud-bridge/uplinks/dc09/frame.js'
import { FrameSplitter } from '../../../cloud-bridge/uplinks/dc09/splitter.js'
import { IngestGate } from '../../../gateway/broker/ingest-gate.js'
import { CodecError } from '../../../base/errors.js'
import { chunks } from './mutate.js'
import { vectorCorpus } from './corpus.js'

/**
 * One decoder under fuzz. `feed` gives it one input; it may refuse it with one of the decoder's
 * documented errors (`refuses`), anything else thrown, or emitted as a stream 'error', escapes.
 */
export interface FuzzTarget {
  name: string
  corpus: Buffer[]
  feed(input: Buffer, rnd: () => number): void | Promise<void>
  /** Frames per case, back to back (stream targets: several, so state carries from one to the next). */
  maxFrames?: number
  /** `feed` returns a promise to wait for (the ingest gate); the others run synchronously, much faster. */
  async?: boolean
  refuses?(err: unknown): boolean
  /** Items a stream target passed on so far (frames and bad-frame reports): is the fuzz reaching in? */
  produced?(): number
}

const isCodecError = (err: unknown): boolean => err instanceof CodecError

/**
 * A framer fed one case (1-3 frames back to back) cut at drawn points, as a port delivers it, then
 * ended. A fresh framer per case, so that a failing case replays alone and fast-check can shrink it;
 * state still carries from frame to frame inside the case. A stream 'error' escapes.
 */
function streamTarget(name: string, corpus: Buffer[], make: () => Transform, onFrame?: (f: unknown, rnd: () => number) => void): FuzzTarget {
  let produced = 0
  /** An 'error' a framer emitted after its case returned: it fails the next case. */
  const late: unknown[] = []
  return {
    name,
    corpus,
    maxFrames: 3,
    feed(input, rnd) {
      if (late.length > 0) throw late.splice(0)[0]
      const framer = make()
      framer.on('error', (err) => late.push(err))
      framer.on('data', (f: unknown) => {
        produced++
        onFrame?.(f, rnd)
      })
      for (const c of chunks(input, rnd)) framer.write(c)
      framer.end()
      // A transform that fails destroys itself at once; the 'error' event follows on a later tick.
      if (framer.errored) throw framer.errored
    },
    produced: () => produced,
  }
}

function contactId(): FuzzTarget[] {
  const corpus = vectorCorpus('contact-id')
  const decoder = createDecoder(
    ContactIdDeviceSchema.parse({ id: 'rx', adapter: 'contact-id', transport: '/dev/null', zones: { '015': { name: 'north fence' } } }),
  )
  const decode = (item: unknown): void => {
    const it = item as FramerItem<ContactIdFrame>
    if (!it.ok) return
    const m = it.frame.message
    if (m.kind === 'event') decodeEvent(m.event, { receiver: m.receiver, line: m.line }, it.frame.text, decoder)
    if (m.kind === 'panel-line') decodeEvent(m.event, {}, it.frame.text, decoder)
  }
  return [
    {
      name: 'contact-id codec (receiver message, panel line)',
      corpus,
      feed(input) {
        const text = input.toString('latin1')
        const r = parseReceiverMessage(text.endsWith('\x14') ? text.slice(0, -1) : text)
        if (r.ok && r.value.kind === 'event') decodeEvent(r.value.event, r.value, text, decoder)
        parsePanelLine(text)
      },
    },
    streamTarget('contact-id framer + decode', corpus, () => new ContactIdFramer(), decode),
  ]
}

function osdp(): FuzzTarget[] {
  const corpus = vectorCorpus('osdp')
  return [
    {
      name: 'osdp codec (decodeFrame)',
      corpus,
      refuses: isCodecError,
      feed(input) {
        decodeOsdp(input[0] === 0xff ? input.subarray(1) : input)
      },
    },
    {
      name: 'osdp replies (interpretReply, decodeWiegand)',
      corpus,
      feed(input) {
        if (input.length === 0) return
        interpretReply(input[0]!, input.subarray(1), input)
        if (input.length > 1) decodeWiegand(input.subarray(1), 1 + (input[0]! % (8 * (input.length - 1))))
      },
    },
    streamTarget('osdp framer', corpus, () => new OsdpFramer()),
  ]
}

const MODBUS_REQUESTS: ModbusRequest[] = [
  { unit: 7, fc: 0x03, address: 0, quantity: 7 },
  { unit: 1, fc: 0x03, address: 0, quantity: 6 },
  { unit: 1, fc: 0x01, address: 0, quantity: 10 },
  { unit: 2, fc: 0x04, address: 100, quantity: 2 },
  { unit: 1, fc: 0x05, address: 3, value: true },
  { unit: 1, fc: 0x06, address: 3, value: 1 },
  { unit: 1, fc: 0x10, address: 0, values: [1, 2] },
  { unit: 1, fc: 0x11 },
]

/** A request the frame could be the reply to (its unit, code and byte count), or a random one. */
function requestFor(frame: Buffer, rnd: () => number): ModbusRequest {
  const req = MODBUS_REQUESTS[Math.floor(rnd() * MODBUS_REQUESTS.length)]!
  if (frame.length < 3 || rnd() < 0.2) return req
  const unit = frame[0]!
  const fc = frame[1]! & 0x7f
  if (fc === 0x01 || fc === 0x02) return { unit, fc, address: 0, quantity: Math.max(1, frame[2]! * 8 - Math.floor(rnd() * 8)) }
  if (fc === 0x03 || fc === 0x04) return { unit, fc, address: 0, quantity: Math.max(1, frame[2]! >> 1) }
  return { ...req, unit }
}

function modbus(): FuzzTarget[] {
  const corpus = vectorCorpus('modbus')
  return [
    {
      name: 'modbus codec (decodeResponse)',
      corpus,
      refuses: (err) => err instanceof CodecError || err instanceof ModbusException,
      feed(input, rnd) {
        // Half the inputs get a right CRC and a request that matches their unit, code and byte
        // count, so the fuzz reaches past the first checks into the body's decoding.
        const frame = input.length >= 3 && rnd() < 0.5 ? withCrc(input.subarray(0, -2)) : input
        decodeResponse(frame, requestFor(frame, rnd))
      },
    },
    streamTarget('modbus rtu framer (master)', corpus, () => new RtuFramer({ role: 'master' })),
    streamTarget('modbus rtu framer (slave)', corpus, () => new RtuFramer({ role: 'slave' })),
    // fromMbap expects a whole frame: it gets one only from the framer, as in the adapter's framing.
    streamTarget(
      'modbus tcp framer + decode (mbap)',
      corpus,
      () => new MbapFramer(),
      (f, rnd) => {
        const { rtu } = fromMbap(f as Buffer)
        try {
          decodeResponse(rtu, requestFor(rtu, rnd))
        } catch (err) {
          if (!(err instanceof CodecError || err instanceof ModbusException)) throw err
        }
      },
    ),
  ]
}

function onvif(): FuzzTarget[] {
  const corpus = vectorCorpus('onvif').filter((b) => b.includes('<'))
  const pullOf = (body: string): string =>
    `<s:Envelope xmlns:s="${NS.soap}"><s:Body><tev:PullMessagesResponse xmlns:tev="${NS.tev}">${body}</tev:PullMessagesResponse></s:Body></s:Envelope>`
  return [
    {
      name: 'onvif notifications (parseXml, PullMessages, parseNotification, classify)',
      corpus,
      refuses: isCodecError,
      feed(input) {
        const doc = parseXml(pullOf(input.toString('utf8')))
        for (const m of parsePullMessages(doc).messages) classify(parseNotification(m))
        const single = parseXml(input.toString('utf8')).documentElement
        if (single) classify(parseNotification(single))
      },
    },
  ]
}

function dc09(): FuzzTarget[] {
  const corpus = vectorCorpus('dc09')
  const splitter = new FrameSplitter()
  const key = Buffer.alloc(16, 7)
  return [
    {
      name: 'dc09 replies (FrameSplitter, decodeFrame)',
      corpus,
      feed(input, rnd) {
        decodeDc09(input, () => key)
        for (const c of chunks(input, rnd)) for (const f of splitter.push(c)) decodeDc09(f, () => key)
      },
    },
  ]
}

/** A valid payload per line, from which the mutations start. */
const INGEST_PAYLOADS = [
  '{"type":"intrusion","zone":"3","attrs":{"probe":1}}',
  '{"id":"0190e0b4-5f3a-7c21-9a3e-4b5c6d7e8f90","type":"fire","priority":1,"occurredAt":"2026-12-01T10:00:00Z","attrs":{"n":[1,2,3]}}',
  '{"type":"test","building":"3","unit":"1201","area":"lobby","user":"17","raw":"AAAA"}',
  '{"type":"door.forced","kind":"alarm","attrs":{"a":{"b":{"c":{}}}}}',
]

function ingest(): FuzzTarget[] {
  const identity = { site: 'chaos', device: 'p0', kind: 'alarm' as const, location: {} }
  let ids = 0
  const gate = new IngestGate({
    devices: new Map([['p0', identity]]),
    maxPayloadBytes: 16 * 1024,
    newId: () => `0190e0b4-5f3a-7c21-9a3e-${(ids++).toString(16).padStart(12, '0')}`,
    now: () => 1_764_583_200_000,
    // The gate's checks are under test, not the journal: a commit that stores nothing.
    commit: (input) => Promise.resolve({ id: input.event.id, duplicate: false, event: { ...input.event, seq: 1 } }),
    reportRejection: () => Promise.resolve(),
    log: pino({ level: 'silent' }),
  })
  return [
    {
      name: 'mqtt ingest gate (payload checks, schema)',
      corpus: INGEST_PAYLOADS.map((p) => Buffer.from(p)),
      async: true,
      async feed(input) {
        await gate.accept('p0', input, 'fuzzer')
      },
    },
  ]
}

/** Every decoder of the gateway: the adapters' codecs and framers, the ingest gate, DC-09 replies. */
export function allTargets(): FuzzTarget[] {
  return [...contactId(), ...osdp(), ...modbus(), ...onvif(), ...dc09(), ...ingest()]
}
