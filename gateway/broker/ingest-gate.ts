import { z } from 'zod'
import type { Logger } from '../../base/log.js'
import { IngestPayloadSchema, UnknownTypeError, buildEvent, type DeviceIdentity, type EventInput, type Location } from '../../base/events/event.js'
import { quickIngestPayload } from './ingest-payload.js'
import { UnstorableEventError, errorMessage } from '../../base/errors.js'
import type { AppendInput, AppendResult } from '../journal/journal.js'
import { invalidUtf8At, nestsDeeperThan } from './payload-checks.js'

/**
 * How deep a payload may nest objects and arrays (the payload itself is level 1, `attrs` level 2).
 * Events are flat records; the bound keeps every later recursive step (zod, JSON.stringify in the
 * journal's commit) far from the stack limit, which 10,000 levels in 20 KB would otherwise reach.
 */
export const MAX_INGEST_DEPTH = 32

export interface IngestRejection {
  producer: string
  device: string
  reason: string
}

export interface IngestGateDeps {
  devices: ReadonlyMap<string, DeviceIdentity>
  maxPayloadBytes: number
  newId(): string
  now(): number
  commit(input: AppendInput): Promise<AppendResult>
  /** Records a refusal (as a gateway event) so the platform sees it too. */
  reportRejection(r: IngestRejection): Promise<void>
  log: Logger
}

/** Why a payload was refused, as a short stable code (the metrics' `reason` label; the message says more). */
export type IngestRefusalCode =
  | 'unknown-device'
  | 'too-large'
  | 'not-utf8'
  | 'too-deep'
  | 'not-json'
  | 'invalid-event'
  | 'kind-mismatch'
  | 'unknown-type'
  | 'unstorable'

interface Refusal {
  code: IngestRefusalCode
  message: string
}

export type IngestOutcome = { accepted: true; result: AppendResult } | { accepted: false; reason: string }

/**
 * Validates a third-party producer's event and commits it before the broker may PUBACK.
 * A payload that can never be valid (not UTF-8, not JSON, nested too deep, not an event) is
 * refused before it reaches the journal, so it cannot fail a group commit shared with other
 * producers' events. It is logged with the producer and the reason, counted,
 * reported as an `ingest.rejected` gateway event, and acknowledged (a resend would fail the same way
 * and stall the producer's queue); so is an event the journal refuses alone. A failure of the journal
 * itself is thrown: no PUBACK, the producer resends.
 */
export class IngestGate {
  rejected = 0
  accepted = 0
  /** Refusals so far by code. */
  readonly rejectedBy = new Map<IngestRefusalCode, number>()

  constructor(private readonly deps: IngestGateDeps) {}

  get maxPayloadBytes(): number {
    return this.deps.maxPayloadBytes
  }

  async accept(device: string, payload: Buffer, producer: string): Promise<IngestOutcome> {
    const checked = this.check(device, payload)
    if ('code' in checked) return this.refuse(producer, device, checked)
    let result: AppendResult
    try {
      result = await this.deps.commit(checked)
    } catch (err) {
      // The journal refused this one event alone (its batch committed): a resend would be refused
      // again, so it is answered like an invalid payload. Any other failure is thrown: no PUBACK.
      if (err instanceof UnstorableEventError) return this.refuse(producer, device, { code: 'unstorable', message: err.message })
      throw err
    }
    this.accepted++
    return { accepted: true, result }
  }

  private async refuse(producer: string, device: string, { code, message: reason }: Refusal): Promise<IngestOutcome> {
    this.rejected++
    this.rejectedBy.set(code, (this.rejectedBy.get(code) ?? 0) + 1)
    this.deps.log.warn({ producer, device, reason }, 'ingest payload refused')
    await this.deps.reportRejection({ producer, device, reason })
    return { accepted: false, reason }
  }

  /** Either the reason the payload is refused, or the event ready for the journal. */
  private check(device: string, payload: Buffer): Refusal | AppendInput {
    const who = this.deps.devices.get(device)
    if (!who) return { code: 'unknown-device', message: `device "${device}" is not configured as an mqtt-ingest device` }
    if (payload.length > this.deps.maxPayloadBytes)
      return { code: 'too-large', message: `payload is ${payload.length} bytes; the limit is ${this.deps.maxPayloadBytes}` }
    const bad = invalidUtf8At(payload)
    if (bad >= 0)
      return {
        code: 'not-utf8',
        message: `payload is not valid UTF-8 (byte ${bad} is 0x${payload[bad]!.toString(16).padStart(2, '0')}); send JSON text in UTF-8 [RFC 8259 §8.1]`,
      }
    const text = payload.toString('utf8')
    if (nestsDeeperThan(text, MAX_INGEST_DEPTH))
      return { code: 'too-deep', message: `payload nests deeper than ${MAX_INGEST_DEPTH} levels of objects and arrays; keep attrs flat` }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      return { code: 'not-json', message: `payload is not JSON (${errorMessage(err)})` }
    }
    let data = quickIngestPayload(json)
    if (data === undefined) {
      const parsed = IngestPayloadSchema.safeParse(json)
      if (!parsed.success) return { code: 'invalid-event', message: z.prettifyError(parsed.error).replace(/\n/g, '; ') }
      data = parsed.data
    }
    const { id, kind, grid, building, unit, area, ...rest } = data
    if (kind !== undefined && kind !== who.kind)
      return { code: 'kind-mismatch', message: `kind "${kind}" does not match the device's configured kind "${who.kind}"` }
    const location: Location = {}
    if (grid !== undefined) location.grid = grid
    if (building !== undefined) location.building = building
    if (unit !== undefined) location.unit = unit
    if (area !== undefined) location.area = area
    const input: EventInput = { ...rest, location }
    try {
      const event = buildEvent(who, input, id ?? this.deps.newId(), this.deps.now())
      return { event, checkId: id !== undefined }
    } catch (err) {
      if (err instanceof UnknownTypeError) return { code: 'unknown-type', message: err.message }
      throw err
    }
  }
}
