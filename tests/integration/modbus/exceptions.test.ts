import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { captureLog } from '../../helpers/logs.js'
import { startUnits, type Recorder } from './context.js'

/**
 * Exception replies to polls, over RTU over TCP: each is logged with what it means, and only the
 * ones about the request (01-03) blame the profile. A real lock answered 04 when its detector
 * failed and 06 while its arm moved, and both were logged as "check the profile addresses".
 */
let model: ParkingBusModel
let server: WireServer
let adapters: Adapter[] = []
let recs: Recorder[] = []
const logs = captureLog()

beforeAll(async () => {
  model = new ParkingBusModel([{ unit: 1, type: 'lock' }], { now: () => Date.now() })
  server = await serveTcp(model)
  ;({ adapters, recs } = await startUnits(
    [{ id: 'lock-1', unit: 1, profile: 'parking-lock', transport: server.address, pollIntervalMs: 50, offlineAfterMisses: 2, offlinePollIntervalMs: 200 }],
    logs,
  ))
})

afterAll(async () => {
  for (const a of adapters) await a.stop()
  await server?.close()
})

/** The next poll of unit 1 is answered with `code`; resolves with the log line about it. */
async function answerNextPollWith(code: number): Promise<Record<string, unknown>> {
  model.failNextWith(1, code)
  return logs.waitFor('poll', { exception: code })
}

describe('exception replies to polls', () => {
  it('04 says the unit reports a fault of its own, not that the profile is wrong', async () => {
    const line = await answerNextPollWith(4)
    expect(line).toMatchObject({
      level: 40,
      msg: 'poll not served: the unit reports a condition of its own',
      unit: 1,
      meaning: expect.stringMatching(/internal fault/),
      action: expect.stringMatching(/check the device itself/),
    })
    expect(JSON.stringify(line)).not.toMatch(/profile address/)
    // The error goes in as an object: its type and stack survive.
    expect(line['err']).toMatchObject({ type: 'ModbusException', message: expect.stringMatching(/exception 0x04 server device failure/) })
  })

  it('06 says the unit is busy and the next poll reads it again', async () => {
    const line = await answerNextPollWith(6)
    expect(line).toMatchObject({
      level: 40,
      msg: 'poll not served: the unit reports a condition of its own',
      meaning: expect.stringMatching(/busy/),
      action: expect.stringMatching(/next poll/),
    })
  })

  it('02 still points at the profile addresses', async () => {
    const line = await answerNextPollWith(2)
    expect(line).toMatchObject({
      level: 40,
      msg: 'poll refused by the unit: the profile does not fit it',
      action: expect.stringMatching(/profile addresses, 0-based/),
    })
  })

  it('a repeat of the same exception is counted at debug, not warned again', async () => {
    const before = logs.find('poll', { exception: 6 }).length
    model.failNextWith(1, 6)
    await logs.waitFor('poll', { exception: 6, count: 2 })
    expect(logs.find('poll', { exception: 6 }).slice(before)).toEqual([expect.objectContaining({ level: 20, count: 2 })])
    expect(recs[0]!.state.online).toBe(true)
  })

  it('0B from a Modbus TCP gateway is a missed poll: the unit behind it did not answer', async () => {
    model.failNextWith(1, 0x0b)
    const missed = () => logs.find('poll missed', { unit: 1 }).map((l) => String((l['err'] as { message?: string }).message))
    await vi.waitFor(() => expect(missed()).toContainEqual(expect.stringMatching(/exception 0x0b gateway target device failed to respond/)), { timeout: 5000 })
    expect(logs.find('poll not served', { exception: 0x0b })).toEqual([])
  })
})
