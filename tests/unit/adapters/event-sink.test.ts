import { describe, expect, it } from 'vitest'
import { EventSink } from '../../../adapters/event-sink.js'
import { captureLog } from '../../helpers/logs.js'

describe('EventSink: events an adapter commits without a device waiting', () => {
  it('counts commits and failures, logs the first failure of a run as an error and its repeats at debug', async () => {
    const logs = captureLog()
    let refuse = true
    const sink = new EventSink(async () => {
      if (refuse) throw new Error('disk full')
      return { id: 'e', duplicate: false }
    }, logs.log)
    expect(await sink.emit({ type: 'device.online' })).toBe(false)
    expect(await sink.emit({ type: 'device.offline' })).toBe(false)
    refuse = false
    expect(await sink.emit({ type: 'device.online' })).toBe(true)
    refuse = true
    expect(await sink.emit({ type: 'lock.fault' })).toBe(false)
    expect(sink).toMatchObject({ committed: 1, failed: 3 })
    const said = logs.find('event not committed')
    expect(said.map((l) => [l['level'], l['type']])).toEqual([
      [50, 'device.online'],
      [20, 'device.offline'],
      [50, 'lock.fault'],
    ])
  })
})
