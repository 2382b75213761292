import { describe, expect, it } from 'vitest'
import { RUN_QUIET_MS, RepeatLog } from '../../../adapters/osdp/repeat-log.js'
import { captureLog } from '../../helpers/logs.js'

describe('repeating failures in the log', () => {
  it('logs the first at its level, counts the repeats at debug, sums the run up when it ends', () => {
    const cap = captureLog()
    let now = 0
    const rl = new RepeatLog(cap.log, () => now)
    for (let i = 0; i < 5; i++, now += 1000) rl.note('warn', 'nak:LSTAT:6', { nak: 6 }, 'reader refused a command')
    rl.note('error', 'secure:MAC mismatch', { reason: 'MAC mismatch' }, 'secure channel failure')
    expect(cap.find('reader refused a command').map((l) => [l['level'], l['repeats']])).toEqual([
      [40, undefined],
      [20, 2],
      [20, 3],
      [20, 4],
      [20, 5],
    ])
    expect(cap.find('secure channel failure', { level: 50 })).toHaveLength(1)
    rl.end({ door: 'vault' })
    expect(cap.find('repeated failure ended')).toEqual([expect.objectContaining({ level: 30, failure: 'nak:LSTAT:6', repeats: 5, door: 'vault' })])
    rl.note('warn', 'nak:LSTAT:6', { nak: 6 }, 'reader refused a command')
    expect(cap.find('reader refused a command', { level: 40 })).toHaveLength(2)
  })

  it('a failure back after a quiet spell is news again', () => {
    const cap = captureLog()
    let now = 0
    const rl = new RepeatLog(cap.log, () => now)
    rl.note('warn', 'nak:OUT:9', {}, 'reader refused a command')
    now += RUN_QUIET_MS - 1
    rl.note('warn', 'nak:OUT:9', {}, 'reader refused a command')
    now += RUN_QUIET_MS
    rl.note('warn', 'nak:OUT:9', {}, 'reader refused a command')
    expect(cap.find('reader refused a command').map((l) => l['level'])).toEqual([40, 20, 40])
  })
})
