import { describe, expect, it } from 'vitest'
import { DoorLogic } from '../../../adapters/osdp/door.js'

const cfg = { contactInput: 0, contactOpenWhenActive: true, strikePulseMs: 3000, heldOpenMs: 10_000, grantGraceMs: 1000 }
const types = (evs: Array<{ type: string }>) => evs.map((e) => e.type)

describe('door logic', () => {
  it('takes the first input report as the starting state, without events', () => {
    const d = new DoorLogic(cfg)
    expect(d.inputs([true], 0)).toEqual([])
    expect(d.open).toBe(true)
  })

  it('an opening without a grant is forced; closing restores it', () => {
    const d = new DoorLogic(cfg)
    d.inputs([false], 0)
    expect(types(d.inputs([true], 1000))).toEqual(['door.forced', 'door.open'])
    expect(d.inputs([false], 4000)).toEqual([{ type: 'door.closed', openMs: 3000 }, { type: 'door.forced.restore' }])
  })

  it('an opening within the pulse plus grace after a grant is granted, and uses the grant up', () => {
    const d = new DoorLogic(cfg)
    d.inputs([false], 0)
    d.grant(1000)
    expect(d.inputs([true], 1000 + 3000 + 1000)).toEqual([{ type: 'door.open', granted: true }])
    d.inputs([false], 6000)
    expect(types(d.inputs([true], 6500))).toEqual(['door.forced', 'door.open'])
  })

  it('a revoked grant (a lock, a refused unlock) authorises nothing', () => {
    const d = new DoorLogic(cfg)
    d.inputs([false], 0)
    d.grant(1000)
    d.revoke()
    expect(types(d.inputs([true], 1300))).toEqual(['door.forced', 'door.open'])
  })

  it('an opening after the grant expired is forced', () => {
    const d = new DoorLogic(cfg)
    d.inputs([false], 0)
    d.grant(0)
    expect(types(d.inputs([true], 4001))).toContain('door.forced')
  })

  it('a door open past heldOpenMs is held once, and restores on closing', () => {
    const d = new DoorLogic(cfg)
    d.inputs([false], 0)
    d.grant(0)
    d.inputs([true], 100)
    expect(d.nextCheckAt()).toBe(10_100)
    expect(d.tick(10_099)).toEqual([])
    expect(d.tick(10_100)).toEqual([{ type: 'door.held', openMs: 10_000 }])
    expect(d.tick(20_000)).toEqual([])
    expect(d.nextCheckAt()).toBe(Number.POSITIVE_INFINITY)
    expect(types(d.inputs([false], 30_000))).toEqual(['door.closed', 'door.held.restore'])
  })

  it('follows the contact polarity and ignores doors without a contact', () => {
    const nc = new DoorLogic({ ...cfg, contactOpenWhenActive: false })
    nc.inputs([true], 0)
    expect(types(nc.inputs([false], 10))).toEqual(['door.forced', 'door.open'])
    const none = new DoorLogic({ ...cfg, contactInput: undefined })
    expect(none.inputs([true], 0)).toEqual([])
    expect(new DoorLogic({ ...cfg, contactInput: 3 }).inputs([true], 0)).toEqual([])
  })
})
