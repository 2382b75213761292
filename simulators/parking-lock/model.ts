import { crc16 } from '../../adapters/modbus/crc.js'
import { exponentialMs, seededRandom } from './rng.js'
import { ILLEGAL_FUNCTION, ILLEGAL_VALUE, SimAltLock, SimLock, SimSensor, UnitException, type SimUnit, type Table } from './units.js'

/**
 * A bus of parking locks and occupancy sensors answering Modbus RTU requests. Pure: `handle()`
 * takes one whole request frame and returns the reply bytes (or null for silence); time comes
 * from the injected clock and chance from a seeded generator, so every run can be replayed.
 *
 * Requests are parsed here on their own (not with the gateway's codec) so that a codec bug does
 * not hide behind the same bug in the simulator; only the CRC and the framer, which the test
 * vectors pin, are shared.
 */
export interface UnitSpec {
  unit: number
  /** `alt-lock`: a lock with another vendor's register map (see SimAltLock). */
  type: 'lock' | 'alt-lock' | 'sensor'
}

export interface BusModelOptions {
  now: () => number
  seed?: number
  /** Motor travel time of a lock, end stop to end stop. */
  travelMs?: number
  /** Chance that a reply goes out with a corrupted CRC (line noise). */
  crcErrorRate?: number
  /** Random vehicles: mean time a space stays vacant and occupied. Off when unset. */
  traffic?: { meanVacantMs: number; meanOccupiedMs: number }
}

/** One request seen by a unit, for tests and the bench. */
export interface RequestRecord {
  at: number
  unit: number
  fc: number
  answered: boolean
}

const HISTORY_MAX = 10_000
const FC_NAMES: Record<number, Table> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' }

export class ParkingBusModel {
  readonly units = new Map<number, SimUnit>()
  readonly history: RequestRecord[] = []
  private readonly silent = new Set<number>()
  private readonly failNext = new Map<number, number>()
  private readonly replyDelays = new Map<number, number>()
  private readonly nextTraffic = new Map<number, number>()
  private readonly random: () => number
  private corruptCount = 0
  readonly counters = { requests: 0, replies: 0, exceptions: 0, corrupted: 0, ignored: 0, broadcasts: 0 }

  constructor(
    specs: UnitSpec[],
    private readonly opts: BusModelOptions,
  ) {
    this.random = seededRandom(opts.seed ?? 1)
    for (const s of specs) {
      if (this.units.has(s.unit)) throw new RangeError(`unit ${s.unit} is declared twice`)
      const travelMs = opts.travelMs ?? 3000
      this.units.set(
        s.unit,
        s.type === 'lock' ? new SimLock(s.unit, travelMs) : s.type === 'alt-lock' ? new SimAltLock(s.unit, travelMs) : new SimSensor(s.unit),
      )
    }
  }

  lock(unit: number): SimLock {
    const u = this.units.get(unit)
    if (!(u instanceof SimLock)) throw new RangeError(`unit ${unit} is not a lock`)
    return u
  }

  sensor(unit: number): SimSensor {
    const u = this.units.get(unit)
    if (!(u instanceof SimSensor)) throw new RangeError(`unit ${unit} is not a sensor`)
    return u
  }

  unitOf(unit: number): SimUnit {
    const u = this.units.get(unit)
    if (!u) throw new RangeError(`no unit ${unit}`)
    return u
  }

  /** A unit that stops answering (power cut, cut cable, wrong address set on site). */
  setSilent(unit: number, silent: boolean): void {
    if (silent) this.silent.add(unit)
    else this.silent.delete(unit)
  }

  /**
   * The unit takes this long to answer each request, one request after another (a lock built on
   * libmodbus serves its requests in turn; one seen on site answered after 350 ms). The wire
   * applies it; the model only keeps it.
   */
  setReplyDelay(unit: number, ms: number): void {
    this.unitOf(unit)
    if (!(ms >= 0)) throw new RangeError(`reply delay ${ms} ms is not a duration`)
    if (ms === 0) this.replyDelays.delete(unit)
    else this.replyDelays.set(unit, ms)
  }

  replyDelayOf(unit: number): number {
    return this.replyDelays.get(unit) ?? 0
  }

  /** The unit's next request gets this exception code instead of an answer. */
  failNextWith(unit: number, code: number): void {
    this.failNext.set(unit, code)
  }

  /** The next `n` replies go out with a broken CRC. */
  corruptNext(n: number): void {
    this.corruptCount += n
  }

  /** Moves every unit's clock and the random traffic up to now. */
  advance(): void {
    const now = this.opts.now()
    for (const u of this.units.values()) u.advance(now)
    const t = this.opts.traffic
    if (t === undefined) return
    for (const u of this.units.values()) {
      const due = this.nextTraffic.get(u.unit)
      if (due === undefined) {
        this.nextTraffic.set(u.unit, now + exponentialMs(this.random, t.meanVacantMs))
        continue
      }
      if (now < due) continue
      // A car only parks where the arm is down; a raised lock keeps its space empty.
      const present = u.vehiclePresent()
      if (!present && u instanceof SimLock && u.position !== 0) {
        this.nextTraffic.set(u.unit, now + exponentialMs(this.random, t.meanVacantMs))
        continue
      }
      u.setVehicle(!present)
      this.nextTraffic.set(u.unit, now + exponentialMs(this.random, present ? t.meanVacantMs : t.meanOccupiedMs))
    }
  }

  /** Answers one whole request frame (CRC already checked by the framer); null for no reply. */
  handle(frame: Buffer): Buffer | null {
    this.advance()
    const now = this.opts.now()
    this.counters.requests++
    const unitId = frame[0] as number
    const fc = frame[1] as number
    if (unitId === 0) {
      this.counters.broadcasts++
      for (const u of this.units.values()) this.serve(u, fc, frame, now)
      return null
    }
    const u = this.units.get(unitId)
    const answered = u !== undefined && !this.silent.has(unitId)
    if (this.history.length >= HISTORY_MAX) this.history.splice(0, HISTORY_MAX / 2)
    this.history.push({ at: now, unit: unitId, fc, answered })
    if (!answered) {
      this.counters.ignored++
      return null
    }
    const forced = this.failNext.get(unitId)
    let pdu: Buffer
    if (forced !== undefined) {
      this.failNext.delete(unitId)
      pdu = Buffer.from([fc | 0x80, forced])
    } else {
      pdu = this.serve(u, fc, frame, now)
    }
    if ((pdu[0] as number) & 0x80) this.counters.exceptions++
    return this.seal(unitId, pdu)
  }

  private serve(u: SimUnit, fc: number, frame: Buffer, now: number): Buffer {
    try {
      return this.dispatch(u, fc, frame, now)
    } catch (err) {
      if (err instanceof UnitException) return Buffer.from([fc | 0x80, err.code])
      throw err
    }
  }

  private dispatch(u: SimUnit, fc: number, f: Buffer, now: number): Buffer {
    const address = f.readUInt16BE(2)
    switch (fc) {
      case 1:
      case 2: {
        const qty = f.readUInt16BE(4)
        const bytes = Buffer.alloc(Math.ceil(qty / 8))
        for (let i = 0; i < qty; i++) if (u.read(FC_NAMES[fc]!, address + i, now)) bytes[i >> 3] = (bytes[i >> 3] as number) | (1 << (i & 7))
        return Buffer.concat([Buffer.from([fc, bytes.length]), bytes])
      }
      case 3:
      case 4: {
        const qty = f.readUInt16BE(4)
        if (qty < 1 || qty > 125) throw new UnitException(ILLEGAL_VALUE)
        const out = Buffer.alloc(2 + qty * 2)
        out[0] = fc
        out[1] = qty * 2
        for (let i = 0; i < qty; i++) out.writeUInt16BE(u.read(FC_NAMES[fc]!, address + i, now), 2 + i * 2)
        return out
      }
      case 5: {
        const raw = f.readUInt16BE(4)
        if (raw !== 0xff00 && raw !== 0) throw new UnitException(ILLEGAL_VALUE)
        u.write('coil', address, raw === 0xff00 ? 1 : 0, now)
        return Buffer.from(f.subarray(1, 6))
      }
      case 6:
        u.write('holding', address, f.readUInt16BE(4), now)
        return Buffer.from(f.subarray(1, 6))
      case 15:
      case 16: {
        const qty = f.readUInt16BE(4)
        for (let i = 0; i < qty; i++) {
          const v = fc === 15 ? ((f[7 + (i >> 3)] as number) >> (i & 7)) & 1 : f.readUInt16BE(7 + i * 2)
          u.write(fc === 15 ? 'coil' : 'holding', address + i, v, now)
        }
        return Buffer.from(f.subarray(1, 6))
      }
      case 17:
        return Buffer.from([fc, 2, u.idByte, 0xff])
      default:
        throw new UnitException(ILLEGAL_FUNCTION)
    }
  }

  private seal(unit: number, pdu: Buffer): Buffer {
    const body = Buffer.concat([Buffer.from([unit]), pdu])
    const out = Buffer.alloc(body.length + 2)
    body.copy(out)
    out.writeUInt16LE(crc16(body), body.length)
    const rate = this.opts.crcErrorRate ?? 0
    if (this.corruptCount > 0 || (rate > 0 && this.random() < rate)) {
      if (this.corruptCount > 0) this.corruptCount--
      this.counters.corrupted++
      out[out.length - 1] = (out[out.length - 1] as number) ^ 0x5a
    } else {
      this.counters.replies++
    }
    return out
  }
}
