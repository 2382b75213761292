import type { AdapterCommandResult } from '../types.js'
import { errorMessage } from '../../base/errors.js'
import { ModbusTimeoutError } from './transaction.js'
import { FC, ModbusException, type ModbusRequest } from './codec.js'
import type { CommandDef, Condition } from './profile.js'

/** What a command needs from its unit: a fresh poll, a write, the decoded states, a clock. */
export interface CommandUnit {
  unit: number
  /** Polls every point now, ahead of routine polls; rejects when the unit does not answer. */
  refresh(): Promise<void>
  write(req: ModbusRequest): Promise<void>
  stateOf(point: string): string | undefined
  /** True while the point reads outside the profile (its state would be nonsense). */
  mismatched(point: string): boolean
  /** Every point's reading, reported with the result. */
  readings(): Record<string, string | number>
  now(): number
  /** Resolves after `ms`, or early when the adapter stops. */
  sleep(ms: number): Promise<void>
  /** True once the adapter is stopping: a command in progress gives up rather than hold the stop. */
  stopping(): boolean
  pollIntervalMs: number
}

/** The profile's write as a request: a coil (05, or 0F) or a holding register (06, or 10). */
export function writeRequest(unit: number, w: CommandDef['write']): ModbusRequest {
  if (w.table === 'coil') {
    const value = typeof w.value === 'boolean' ? w.value : w.value !== 0
    return w.multiple
      ? { unit, fc: FC.WRITE_MULTIPLE_COILS, address: w.address, values: [value] }
      : { unit, fc: FC.WRITE_SINGLE_COIL, address: w.address, value }
  }
  const value = typeof w.value === 'boolean' ? (w.value ? 1 : 0) : w.value
  return w.multiple
    ? { unit, fc: FC.WRITE_MULTIPLE_REGISTERS, address: w.address, values: [value] }
    : { unit, fc: FC.WRITE_SINGLE_REGISTER, address: w.address, value }
}

function firstMet(u: CommandUnit, conds: readonly Condition[]): Condition | undefined {
  return conds.find((c) => u.stateOf(c.point) === c.state)
}

function reasonOf(c: Condition): string {
  return c.reason ?? `${c.point} is ${c.state}`
}

/** A failed read or write, as a result an operator can act on. */
function failure(err: unknown, what: string): AdapterCommandResult {
  if (err instanceof ModbusTimeoutError) return { status: 'timeout', reason: `${what}: ${err.message}` }
  // Exception 04 is the unit saying it cannot act (a fault); other exceptions mean the map is wrong.
  if (err instanceof ModbusException) return { status: err.exceptionCode === 0x04 ? 'fault' : 'error', reason: `${what}: ${err.message}` }
  return { status: 'error', reason: `${what}: ${errorMessage(err)}` }
}

/**
 * Carries out one profile command: fresh read, refusal check, write, then watch the points until
 * the target state, a refusal, a fault, or the timeout. The lock's own refusal (a vehicle seen by
 * its detector) shows in a point the profile names in `refuseWhen`.
 */
export async function runCommand(u: CommandUnit, def: CommandDef): Promise<AdapterCommandResult> {
  const started = u.now()
  try {
    await u.refresh()
  } catch (err) {
    return failure(err, 'reading the unit before the command')
  }
  // A detector read from the wrong register cannot vouch that the space is clear: nothing is written.
  const blind = [def.await, ...def.refuseWhen, ...def.faultWhen].find((c) => c !== undefined && u.mismatched(c.point))
  if (blind !== undefined)
    return {
      status: 'error',
      reason: `${blind.point} reads outside the profile (see the profile.mismatch fault): the register map does not fit the unit, so the command was not sent`,
      data: u.readings(),
    }
  // Checked on a fresh reading, so a car that just parked is seen before the arm moves.
  const refused = firstMet(u, def.refuseWhen)
  if (refused !== undefined) return { status: 'refused', reason: reasonOf(refused), data: u.readings() }
  const faulted = firstMet(u, def.faultWhen)
  if (faulted !== undefined) return { status: 'fault', reason: `${reasonOf(faulted)}: clear the fault first`, data: u.readings() }
  try {
    await u.write(writeRequest(u.unit, def.write))
  } catch (err) {
    return failure(err, 'writing the command')
  }
  if (def.await === undefined) return { status: 'ok', data: u.readings() }
  const target = def.await
  const deadline = started + def.timeoutMs
  for (;;) {
    await u.sleep(Math.min(u.pollIntervalMs, Math.max(0, deadline - u.now())))
    if (u.stopping()) return { status: 'error', reason: `the gateway stopped while ${target.point} was not yet ${target.state}`, data: u.readings() }
    try {
      await u.refresh()
    } catch (err) {
      // One missed read does not fail a move in progress; the deadline still holds.
      if (u.now() >= deadline) return failure(err, 'watching the unit')
      continue
    }
    // The lock's own detector may refuse after the write: it shows in the points refuseWhen names.
    const refusedNow = firstMet(u, def.refuseWhen)
    if (refusedNow !== undefined) return { status: 'refused', reason: reasonOf(refusedNow), data: u.readings() }
    const fault = firstMet(u, def.faultWhen)
    if (fault !== undefined) return { status: 'fault', reason: reasonOf(fault), data: u.readings() }
    if (u.stateOf(target.point) === target.state) return { status: 'ok', data: { ...u.readings(), ms: u.now() - started } }
    if (u.now() >= deadline) {
      return {
        status: 'timeout',
        reason: `${target.point} did not reach ${target.state} within ${def.timeoutMs} ms (it is ${u.stateOf(target.point) ?? 'unknown'})`,
        data: u.readings(),
      }
    }
  }
}
