import type { DecodedFrame } from '../../adapters/osdp/codec.js'
import { seededRandom } from '../parking-lock/rng.js'
import type { SimCardFormat } from './cards.js'
import { SimPd, type SimPdOptions } from './pd.js'

export interface SimReaderConfig extends Omit<SimPdOptions, 'randomBytes'> {
  /** Which input is the door contact, and which output drives the strike. */
  contactInput?: number
  strikeOutput?: number
}

export interface AccessBusOptions {
  readers: SimReaderConfig[]
  seed?: number
}

/**
 * Several OSDP readers on one RS-485 bus. Pure: packets and the time come in, reply bytes go out;
 * randomness (RND.B of the secure channel) comes from a seeded generator so a run replays exactly.
 */
export class AccessBusModel {
  readonly pds = new Map<number, SimPd>()
  private readonly configs = new Map<number, SimReaderConfig>()

  constructor(opts: AccessBusOptions) {
    const random = seededRandom(opts.seed ?? 1)
    const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)))
    for (const r of opts.readers) {
      if (this.pds.has(r.address)) throw new RangeError(`two readers at address ${r.address}`)
      this.pds.set(r.address, new SimPd({ ...r, randomBytes }))
      this.configs.set(r.address, r)
    }
  }

  /** A packet seen on the bus; replies from other PDs and broadcasts get no answer here. */
  handle(f: DecodedFrame, now: number): Buffer | undefined {
    if (f.reply) return undefined
    return this.pds.get(f.addr)?.handle(f, now)
  }

  pd(address: number): SimPd {
    const pd = this.pds.get(address)
    if (!pd) throw new RangeError(`no reader at address ${address}`)
    return pd
  }

  swipe(address: number, format: SimCardFormat, facility: number, card: number): void {
    this.pd(address).swipe(format, facility, card)
  }

  keypad(address: number, keys: string): void {
    this.pd(address).keys(keys)
  }

  setDoor(address: number, open: boolean): void {
    const input = this.configs.get(address)?.contactInput ?? 0
    this.pd(address).inputs[input] = open
  }

  strikeOn(address: number, now: number): boolean {
    return this.pd(address).outputOn(this.configs.get(address)?.strikeOutput ?? 0, now)
  }

  setTamper(address: number, on: boolean): void {
    this.pd(address).tamper = on
  }

  setPowerLost(address: number, lost: boolean): void {
    this.pd(address).powerLost = lost
  }

  /** The reader answers nothing until `now + ms` (a cut cable). */
  silence(address: number, now: number, ms: number): void {
    this.pd(address).silentUntil = now + ms
  }

  busy(address: number, times: number): void {
    this.pd(address).busyCount = times
  }

  nak(address: number, code: number): void {
    this.pd(address).nakNext = code
  }

  /** The reader NAKs every osdp_OUT (0x09) until told otherwise: its strike never moves. */
  refuseOutputs(address: number, refuse: boolean): void {
    this.pd(address).refuseOutputs = refuse
  }

  /** The reader's next secure reply carries a wrong MAC; `always`: every one does, until turned off. */
  corruptMac(address: number, always?: boolean): void {
    if (always === undefined) this.pd(address).corruptNextMac = true
    else this.pd(address).corruptEveryMac = always
  }

  /** The reader talks only inside a secure channel (libosdp's ENFORCE_SECURE), or again in the clear too. */
  requireSecure(address: number, on: boolean): void {
    this.pd(address).requireSecure = on
  }

  /** The reader is reset to factory keys (or replaced by a new one at the same address). */
  factoryReset(address: number): void {
    this.pd(address).factoryReset()
  }

  /** A power cycle of the reader: session and sequence lost, its key kept. */
  restart(address: number): void {
    this.pd(address).restart()
  }
}
