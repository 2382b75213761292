import type { Logger } from '../../base/log.js'
import type { ModbusException } from './codec.js'
import { EXCEPTIONS, type ExceptionGroup } from './exceptions.js'

/** The log message for a poll's exception reply: only a profile exception blames the profile. */
const EXCEPTION_LOG: Record<ExceptionGroup, string> = {
  profile: 'poll refused by the unit: the profile does not fit it',
  device: 'poll not served: the unit reports a condition of its own',
  gateway: 'poll not served: the Modbus TCP gateway cannot reach the unit',
}

/**
 * Says what a poll's exception reply means, once per code (a unit answering 06 to every poll would
 * otherwise log every second); repeats go to debug with their count.
 */
export class PollExceptionLog {
  private readonly counts = new Map<number, number>()

  constructor(
    private readonly log: Logger,
    private readonly unit: number,
  ) {}

  note(err: ModbusException): void {
    const code = err.exceptionCode
    const seen = (this.counts.get(code) ?? 0) + 1
    this.counts.set(code, seen)
    const info = EXCEPTIONS[code]
    const fields = { unit: this.unit, err, exception: code, meaning: info?.meaning, action: info?.action, count: seen }
    const msg = EXCEPTION_LOG[info?.group ?? 'device']
    if (seen === 1) this.log.warn(fields, msg)
    else this.log.debug(fields, msg)
  }
}
