import { answer, frameOf, nak, parseFrame, type Incoming } from './protocol.js'

/** Faults a receiver can be told to show; counts apply to the next N messages. */
export interface CentreFaults {
  /** Messages lost before the receiver: no record, no answer. */
  dropRequests?: number
  /** Messages recorded but not answered (the ACK is lost). */
  dropAcks?: number
  /** ACKs sent with the wrong sequence number. */
  wrongAckSeq?: number
  /** Connections closed instead of answering (nothing recorded). */
  closeConnection?: number
  /** NAKs (with the receiver's time) in answer to valid messages. */
  nakStorm?: number
  /** Event messages answered DUH (cannot process). */
  duh?: number
  /** The receiver's clock runs this far ahead of the machine's. */
  clockOffsetMs?: number
}

export interface CentreOptions {
  /** AES key per account. */
  keys?: Record<string, Buffer>
  now?: () => number
  random?: () => number
  faults?: CentreFaults
  /** The timestamp window [SIA DC-09]: messages older than 40 s or more than 20 s ahead are NAKed. */
  windowPastMs?: number
  windowFutureMs?: number
  /** Called for each event message accepted (not NULL). */
  onEvent?: (e: ReceivedEvent) => void
}

export interface ReceivedEvent {
  at: number
  id: string
  seq: string
  account: string
  receiver: string | undefined
  line: string | undefined
  encrypted: boolean
  data: string
  x: Record<string, string>
  time: number | undefined
  /** The gateway's event id from `[U..]`, when sent. */
  eventId: string | undefined
}

export interface CentreReport {
  received: number
  unique: number
  duplicates: number
  outOfOrder: number
  /** Expected event ids (when given) never received. */
  lost: string[]
  /**
   * Messages missing from a transmitter's numbering (same account, receiver and line): a jump of
   * 2-10 past the last accepted number. A larger jump is taken for a restart (`sequenceRestarts`).
   */
  sequenceGaps: number
  sequenceRestarts: number
  nulls: number
  naks: number
  duhs: number
  rejected: number
  perAccount: Record<string, { unique: number; duplicates: number; outOfOrder: number; sequenceGaps: number }>
}

/** A numbering jump beyond this is a transmitter restart, not lost messages. */
const MAX_GAP = 10

export interface Outcome {
  reply?: Buffer
  close?: boolean
}

const EVENT_IDS = new Set(['ADM-CID', 'SIA-DCS'])

/**
 * A DC-09 receiver as a pure state machine: a frame in, an answer out, and what it received.
 * Duplicates: the same event id in x-data, or the same content with the same sequence number.
 * Out of order: a UUIDv7 event id lower than the last one from the same account and zone.
 */
export class CentreModel {
  readonly events: ReceivedEvent[] = []
  faults: CentreFaults
  private readonly now: () => number
  private readonly random: () => number
  private nulls = 0
  private naks = 0
  private duhs = 0
  private rejected = 0
  /** Last accepted sequence number per transmitter line (account, receiver, line). */
  private readonly lastSeq = new Map<string, number>()
  private readonly gaps = new Map<string, number>()
  private restarts = 0

  constructor(private readonly opts: CentreOptions = {}) {
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
    this.faults = { ...opts.faults }
  }

  /** The receiver's clock. */
  clock(): number {
    return this.now() + (this.faults.clockOffsetMs ?? 0)
  }

  private take(name: keyof Omit<CentreFaults, 'clockOffsetMs'>): boolean {
    const n = this.faults[name] ?? 0
    if (n <= 0) return false
    this.faults[name] = n - 1
    return true
  }

  handle(frame: Buffer): Outcome {
    if (this.take('dropRequests')) return {}
    if (this.take('closeConnection')) return { close: true }
    const p = parseFrame(frame, (a) => this.opts.keys?.[a])
    const now = this.clock()
    if (!p.ok) {
      this.rejected++
      // A message we cannot read is NAKed; one for an account we hold no key for cannot be processed.
      if (p.badKey) {
        this.duhs++
        return { reply: frameOf(`"DUH"0000${p.account !== undefined ? `#${p.account}` : ''}[]`) }
      }
      this.naks++
      return { reply: nak(now) }
    }
    const msg = p.msg
    const key = msg.account !== undefined ? this.opts.keys?.[msg.account] : undefined
    // Timestamp window: a replayed or badly timed message is NAKed with our time. [SIA DC-09]
    if (msg.time !== undefined && (msg.time < now - (this.opts.windowPastMs ?? 40_000) || msg.time > now + (this.opts.windowFutureMs ?? 20_000))) {
      this.naks++
      return { reply: nak(now) }
    }
    if (msg.encrypted && msg.time === undefined) {
      this.naks++
      return { reply: nak(now) }
    }
    if (this.take('nakStorm')) {
      this.naks++
      return { reply: nak(now) }
    }
    if (msg.id === 'NULL') {
      this.nulls++
      this.numbered(msg)
      return { reply: this.ack(msg, key, now) }
    }
    if (!EVENT_IDS.has(msg.id) || msg.account === undefined || this.take('duh')) {
      this.duhs++
      return { reply: answer('DUH', msg, { now, random: this.random, ...(key ? { key } : {}) }) }
    }
    this.record(msg, now)
    this.numbered(msg)
    if (this.take('dropAcks')) return {}
    return { reply: this.ack(msg, key, now) }
  }

  private ack(msg: Incoming, key: Buffer | undefined, now: number): Buffer {
    const to = this.take('wrongAckSeq') ? { ...msg, seq: String((Number(msg.seq) % 9999) + 1).padStart(4, '0') } : msg
    return answer('ACK', to, { now, random: this.random, ...(key ? { key } : {}) })
  }

  /** Checks the transmitter's numbering: the same number again is a retry, the next is in order. */
  private numbered(msg: Incoming): void {
    if (msg.account === undefined) return
    const key = `${msg.account}|${msg.receiver ?? ''}|${msg.line ?? ''}`
    const seq = Number(msg.seq)
    const last = this.lastSeq.get(key)
    this.lastSeq.set(key, seq)
    if (last === undefined || seq === last) return
    // 0001-9999 wrapping to 0001.
    const ahead = seq > last ? seq - last : seq + 9999 - last
    if (ahead === 1) return
    if (ahead <= MAX_GAP) this.gaps.set(msg.account, (this.gaps.get(msg.account) ?? 0) + ahead - 1)
    else this.restarts++
  }

  private record(msg: Incoming, now: number): void {
    const e: ReceivedEvent = {
      at: now,
      id: msg.id,
      seq: msg.seq,
      account: msg.account!,
      receiver: msg.receiver,
      line: msg.line,
      encrypted: msg.encrypted,
      data: msg.data,
      x: msg.x,
      time: msg.time,
      eventId: msg.x['U'],
    }
    this.events.push(e)
    this.opts.onEvent?.(e)
  }

  /** Lost (against `expected` event ids, when given), duplicated and out-of-order events, per account. */
  report(expected: string[] = []): CentreReport {
    const seenIds = new Set<string>()
    const seenContent = new Set<string>()
    const lastByZone = new Map<string, string>()
    const perAccount: CentreReport['perAccount'] = {}
    let duplicates = 0
    let outOfOrder = 0
    for (const e of this.events) {
      const acct = (perAccount[e.account] ??= { unique: 0, duplicates: 0, outOfOrder: 0, sequenceGaps: this.gaps.get(e.account) ?? 0 })
      const content = `${e.account}|${e.seq}|${e.data}`
      const dup = e.eventId !== undefined ? seenIds.has(e.eventId) : seenContent.has(content)
      if (e.eventId !== undefined) seenIds.add(e.eventId)
      seenContent.add(content)
      if (dup) {
        duplicates++
        acct.duplicates++
        continue
      }
      acct.unique++
      if (e.eventId === undefined) continue
      const zone = `${e.account}|${zoneOf(e.data)}`
      const last = lastByZone.get(zone)
      if (last !== undefined && e.eventId < last) {
        outOfOrder++
        acct.outOfOrder++
      }
      lastByZone.set(zone, e.eventId)
    }
    return {
      received: this.events.length,
      unique: this.events.length - duplicates,
      duplicates,
      outOfOrder,
      lost: expected.filter((id) => !seenIds.has(id)),
      sequenceGaps: [...this.gaps.values()].reduce((a, b) => a + b, 0),
      sequenceRestarts: this.restarts,
      nulls: this.nulls,
      naks: this.naks,
      duhs: this.duhs,
      rejected: this.rejected,
      perAccount,
    }
  }
}

/** The zone (or user) number of an ADM-CID or SIA-DCS data block: its trailing digits. */
export function zoneOf(data: string): string {
  return /(\d{3,4})$/.exec(data)?.[1] ?? ''
}
