/**
 * Exception codes [MB-AP §7] and what each tells an installer. Pure data: the codec puts the
 * meaning into a ModbusException's message; the adapter logs the advice when a poll gets one.
 *
 * They fall into three groups, and only the first says the register map is wrong:
 * - the request does not fit the unit (01, 02, 03): the profile's tables, addresses or values;
 * - the unit cannot serve it now (04, 05, 06, 08): look at the device, not the profile;
 * - a Modbus TCP gateway cannot reach the unit behind it (0A, 0B).
 */
export type ExceptionGroup = 'profile' | 'device' | 'gateway'

export interface ExceptionInfo {
  name: string
  /** What the unit is saying, in an installer's words. */
  meaning: string
  /** What to check or do. */
  action: string
  group: ExceptionGroup
}

export const EXCEPTIONS: Readonly<Record<number, ExceptionInfo>> = {
  0x01: {
    name: 'illegal function',
    meaning: 'the unit does not support this function code',
    action: "check the profile's tables (coil, discrete, holding, input) and write functions against the device's manual",
    group: 'profile',
  },
  0x02: {
    name: 'illegal data address',
    meaning: 'the register or coil does not exist on this unit',
    action: 'check the profile addresses, 0-based (vendor "40001" is holding 0)',
    group: 'profile',
  },
  0x03: {
    name: 'illegal data value',
    meaning: 'the unit refused the quantity or the value',
    action: "check the profile's point types (32-bit points take two registers) and command values",
    group: 'profile',
  },
  0x04: {
    name: 'server device failure',
    meaning: 'the unit hit an internal fault while serving the request (a failed sensor, motor controller or memory)',
    action: 'check the device itself (power, wiring to its sensors, its own fault display); the profile is not at fault',
    group: 'device',
  },
  0x05: {
    name: 'acknowledge',
    meaning: 'the unit accepted a long-running request and is still working on it',
    action: 'nothing: the next poll reads it again',
    group: 'device',
  },
  0x06: {
    name: 'server device busy',
    meaning: 'the unit is busy with a long-running operation (a moving arm, a self-test) and asks to be asked again later',
    action: 'nothing if it is rare (the next poll reads it again); if it is frequent, lengthen pollIntervalMs',
    group: 'device',
  },
  0x08: {
    name: 'memory parity error',
    meaning: 'the unit found its own memory corrupted while reading it',
    action: 'check the device; it may need servicing',
    group: 'device',
  },
  0x0a: {
    name: 'gateway path unavailable',
    meaning: 'the Modbus TCP gateway has no path to this unit',
    action: "check the gateway's routing and the unit id set in config",
    group: 'gateway',
  },
  0x0b: {
    name: 'gateway target device failed to respond',
    meaning: 'the Modbus TCP gateway got no answer from the unit behind it',
    action: "check the unit's power and its serial wiring to the gateway",
    group: 'gateway',
  },
}

/** The exception's name and meaning, for messages: "server device busy (the unit is busy ...)". */
export function describeException(code: number): string {
  const e = EXCEPTIONS[code]
  return e === undefined ? `unknown exception code ${code}` : `${e.name} (${e.meaning}; ${e.action})`
}
