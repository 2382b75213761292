import type { EventInput } from '../../base/events/event.js'
import type { AllowEntry, OsdpReaderConfig } from './config.js'
import type { DoorEvent } from './door.js'
import type { LocalStatus } from './replies.js'
import type { Card } from './wiegand.js'

/**
 * Reader and door happenings -> normalized events. Pure. Every event names its door: `zone` is the
 * door id, attrs carry the door's name and the reader's address.
 */

/** A secure-channel failure with the same reason is reported again after this long at the earliest. */
export const SECURE_FAILURE_REPEAT_MS = 10 * 60_000

function where(r: OsdpReaderConfig): { zone: string; attrs: Record<string, unknown> } {
  return { zone: r.door, attrs: { door: r.name ?? r.door, reader: r.address } }
}

export function cardAttrs(card: Card): Record<string, unknown> {
  const a: Record<string, unknown> = { card: card.card, format: card.format, bits: card.bits }
  if (card.facility !== undefined) a['facility'] = card.facility
  if (card.note !== undefined) a['note'] = card.note
  return a
}

/** The allow-list entry that admits this card at this door, if any. */
export function findAllowed(list: AllowEntry[], card: Card, door: string): AllowEntry | undefined {
  return list.find(
    (e) => e.card === card.card && (e.facility === undefined || e.facility === card.facility) && (e.doors === undefined || e.doors.includes(door)),
  )
}

export type CardDecision = { kind: 'report' } | { kind: 'grant'; entry: AllowEntry } | { kind: 'deny' }

/** Without an allow-list the platform decides (`credential`); with one the gateway does. */
export function decideCard(list: AllowEntry[] | undefined, card: Card, door: string): CardDecision {
  if (!list) return { kind: 'report' }
  const entry = findAllowed(list, card, door)
  return entry ? { kind: 'grant', entry } : { kind: 'deny' }
}

export function cardEvent(r: OsdpReaderConfig, card: Card, decision: CardDecision, raw: Buffer): EventInput {
  const w = where(r)
  const type = decision.kind === 'report' ? 'credential' : decision.kind === 'grant' ? 'access.granted' : 'access.denied'
  const ev: EventInput = { type, zone: w.zone, attrs: { ...w.attrs, ...cardAttrs(card) }, raw: raw.toString('hex') }
  if (decision.kind === 'grant' && decision.entry.user !== undefined) ev.user = decision.entry.user
  if (decision.kind === 'deny') ev.attrs!['reason'] = 'not on the local allow-list'
  return ev
}

export function keypadEvent(r: OsdpReaderConfig, keys: string, raw: Buffer): EventInput {
  const w = where(r)
  return { type: 'keypad', zone: w.zone, attrs: { ...w.attrs, keys }, raw: raw.toString('hex') }
}

export function doorEvent(r: OsdpReaderConfig, e: DoorEvent): EventInput {
  const w = where(r)
  const { type, ...rest } = e
  return { type, zone: w.zone, attrs: { ...w.attrs, ...rest } }
}

/** Tamper and power transitions from osdp_LSTATR [§7.6]; `before` undefined = assume normal. */
export function localStatusEvents(r: OsdpReaderConfig, before: LocalStatus | undefined, now: LocalStatus): EventInput[] {
  const w = where(r)
  const prev = before ?? { tamper: false, powerLost: false }
  const out: EventInput[] = []
  if (now.tamper !== prev.tamper) out.push({ type: now.tamper ? 'tamper' : 'tamper.restore', zone: w.zone, attrs: w.attrs })
  if (now.powerLost !== prev.powerLost) out.push({ type: now.powerLost ? 'power.lost' : 'power.restored', zone: w.zone, attrs: w.attrs })
  return out
}

export function onlineEvent(r: OsdpReaderConfig, online: boolean, detail: Record<string, unknown>): EventInput {
  const w = where(r)
  return { type: online ? 'device.online' : 'device.offline', zone: w.zone, attrs: { ...w.attrs, ...detail } }
}

/**
 * A secure-channel failure names the reader. The adapter reports each reason once per
 * `SECURE_FAILURE_REPEAT_MS` and counts the repeats in between (`repeats`).
 */
export function secureFailureEvent(r: OsdpReaderConfig, reason: string, repeats = 0): EventInput {
  const w = where(r)
  const attrs: Record<string, unknown> = { ...w.attrs, reason }
  if (repeats > 0) attrs['repeats'] = repeats
  return { type: 'secure-channel.failure', zone: w.zone, attrs }
}

/** A reader that keeps refusing: what is wrong and what to change (`faults.ts`). */
export function faultEvent(r: OsdpReaderConfig, fault: { reason: string; fix: string; detail: string }): EventInput {
  const w = where(r)
  return { type: 'reader.fault', zone: w.zone, attrs: { ...w.attrs, ...fault } }
}

export function faultRestoreEvent(r: OsdpReaderConfig, failures: number): EventInput {
  const w = where(r)
  return { type: 'reader.fault.restore', zone: w.zone, attrs: { ...w.attrs, failures } }
}

export function unlockEvent(r: OsdpReaderConfig, pulseMs: number, by: string): EventInput {
  const w = where(r)
  return { type: 'door.unlocked', zone: w.zone, attrs: { ...w.attrs, pulseMs, by } }
}
