import { describe, expect, it } from 'vitest'
import { crcOk, withCrc } from '../../../adapters/modbus/crc.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { vector } from './vectors.js'

function bus(opts: { traffic?: { meanVacantMs: number; meanOccupiedMs: number }; seed?: number } = {}) {
  let t = 0
  const model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 7, type: 'lock' },
      { unit: 11, type: 'sensor' },
    ],
    { now: () => t, travelMs: 3000, ...opts },
  )
  return { model, tick: (ms: number) => (t += ms) }
}
const req = (hex: string) => withCrc(Buffer.from(hex, 'hex'))
const hex = (b: Buffer | null) => b?.toString('hex') ?? null

describe('ParkingBusModel', () => {
  it('an alt lock has another map: holding 0-6 and input 0-2 as SimAltLock says, raised by holding 3', () => {
    let t = 0
    const model = new ParkingBusModel([{ unit: 2, type: 'alt-lock' }], { now: () => t, travelMs: 100 })
    const r = model.handle(req('020300000007'))!
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => r.readUInt16BE(3 + i * 2))).toEqual([0, 0, 3600, 0, 0, 0xffff, 0xffff])
    const inputs = model.handle(req('020400000003'))!
    expect([0, 1, 2].map((i) => inputs.readUInt16BE(3 + i * 2))).toEqual([0, 0, 3600])
    // Holding 1 is the detector on this map, not the command register.
    expect(hex(model.handle(req('020600010001')))!.slice(0, 6)).toBe('028602')
    expect(hex(model.handle(req('020600030001')))).toBe(hex(req('020600030001')))
    t += 100
    model.advance()
    expect(model.lock(2).position).toBe(1)
  })

  it('keeps a per-unit reply delay for the wire', () => {
    const { model } = bus()
    model.setReplyDelay(7, 350)
    expect([model.replyDelayOf(7), model.replyDelayOf(1)]).toEqual([350, 0])
    expect(() => model.setReplyDelay(9, 10)).toThrow(/no unit 9/)
  })

  it('answers a read past its map with the vector exception 02', () => {
    const { model } = bus()
    expect(hex(model.handle(vector('read holding registers 0..6, unit 7')))).toBe(vector('exception 02 (illegal data address) to function 03').toString('hex'))
  })

  it('reads the lock holding registers 0-5', () => {
    const { model } = bus()
    const r = model.handle(req('070300000006'))!
    expect(crcOk(r)).toBe(true)
    expect(r.subarray(0, 3).toString('hex')).toBe('07030c')
    expect([0, 1, 2, 3, 4, 5].map((i) => r.readUInt16BE(3 + i * 2))).toEqual([0, 0, 0, 1260, 0, 0])
  })

  it('raises a lock over the motor travel time', () => {
    const { model, tick } = bus()
    expect(hex(model.handle(req('010600010001')))).toBe(hex(req('010600010001')))
    expect(model.lock(1).position).toBe(2)
    tick(2999)
    model.advance()
    expect(model.lock(1).position).toBe(2)
    tick(1)
    model.advance()
    expect(model.lock(1)).toMatchObject({ position: 1, commandStatus: 0, cycles: 1 })
  })

  it('refuses to raise over a vehicle', () => {
    const { model } = bus()
    model.lock(1).setVehicle(true)
    model.handle(req('010600010001'))
    expect(model.lock(1)).toMatchObject({ position: 0, commandStatus: 2 })
  })

  it('jams half-way, and the vector "write coil 0 ON" clears the fault', () => {
    const { model, tick } = bus()
    model.lock(1).jamNext = true
    model.handle(req('010600010001'))
    tick(1500)
    model.advance()
    expect(model.lock(1)).toMatchObject({ position: 3, faultCode: 1, commandStatus: 3 })
    const on = vector('write single coil 0 = ON, unit 1 (the response echoes it)')
    expect(hex(model.handle(on))).toBe(on.toString('hex'))
    expect(model.lock(1)).toMatchObject({ position: 0, faultCode: 0 })
  })

  it('a broadcast write reaches every lock and gets no reply', () => {
    const { model } = bus()
    for (const u of [1, 7]) {
      model.lock(u).position = 3
      model.lock(u).faultCode = 1
    }
    expect(model.handle(vector('broadcast write coil 0 = ON (unit 0, no reply)'))).toBeNull()
    expect([model.lock(1).position, model.lock(7).position]).toEqual([0, 0])
  })

  it('a silent unit does not answer; an unknown unit neither', () => {
    const { model } = bus()
    model.setSilent(7, true)
    expect(model.handle(req('070300000001'))).toBeNull()
    expect(model.handle(req('200300000001'))).toBeNull()
    expect(model.history.map((h) => h.answered)).toEqual([false, false])
  })

  it('injected exception and CRC error', () => {
    const { model } = bus()
    model.failNextWith(1, 6)
    expect(hex(model.handle(req('010300000001')))).toBe(hex(req('018306')))
    model.corruptNext(1)
    expect(crcOk(model.handle(req('010300000001'))!)).toBe(false)
    expect(crcOk(model.handle(req('010300000001'))!)).toBe(true)
  })

  it('the sensor: discrete input, distance, f32 battery low word first, status bits', () => {
    const { model } = bus()
    model.sensor(11).setVehicle(true)
    model.sensor(11).tamper = true
    expect(hex(model.handle(req('0b0200000001')))).toBe(hex(req('0b020101')))
    const r = model.handle(req('0b0400000004'))!
    const regs = [0, 1, 2, 3].map((i) => r.readUInt16BE(3 + i * 2))
    const f = Buffer.alloc(4)
    f.writeUInt16BE(regs[2]!, 0)
    f.writeUInt16BE(regs[1]!, 2)
    expect([regs[0], f.readFloatBE(0).toFixed(2), regs[3]]).toEqual([40, '3.60', (200 << 8) | 1])
  })

  it('unsupported function -> exception 01; report server id answers', () => {
    const { model } = bus()
    expect(hex(model.handle(req('010700000000')))).toBe(hex(req('018701')))
    expect(hex(model.handle(req('0111')))).toBe(hex(req('0111024cff')))
  })

  it('random traffic is the same for the same seed', () => {
    const run = (seed: number) => {
      const { model, tick } = bus({ seed, traffic: { meanVacantMs: 10_000, meanOccupiedMs: 20_000 } })
      const seen: string[] = []
      for (let i = 0; i < 300; i++) {
        tick(1000)
        model.advance()
        seen.push([1, 7, 11].map((u) => (model.unitOf(u).vehiclePresent() ? 1 : 0)).join(''))
      }
      return seen.join(',')
    }
    expect(run(42)).toBe(run(42))
    expect(run(42)).not.toBe(run(43))
    expect(run(42)).toContain('1')
  })
})
