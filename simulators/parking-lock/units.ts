/**
 * The simulated devices' register maps (the built-in profiles' maps, written out here
 * independently so a mistake in one does not hide the same mistake in the other).
 * Pure: time comes in as `now`; nothing here touches a port or a timer.
 */

/** Exception codes the units answer with. [MB-AP §7] */
export const ILLEGAL_FUNCTION = 0x01
export const ILLEGAL_ADDRESS = 0x02
export const ILLEGAL_VALUE = 0x03

/** A register access the unit cannot serve: answered with this exception code. */
export class UnitException extends Error {
  constructor(readonly code: number) {
    super(`exception ${code}`)
  }
}

export type Table = 'coil' | 'discrete' | 'holding' | 'input'

export interface SimUnit {
  readonly unit: number
  readonly type: 'lock' | 'sensor'
  /** Moves the unit's own clockwork (motor travel) up to `now`. */
  advance(now: number): void
  read(table: Table, address: number, now: number): number
  write(table: 'coil' | 'holding', address: number, value: number, now: number): void
  setVehicle(present: boolean): void
  vehiclePresent(): boolean
  setBatteryVolts(v: number): void
  /** Report server id (0x11): a type byte. */
  readonly idByte: number
}

export const POSITION = { lowered: 0, raised: 1, moving: 2, fault: 3 } as const
export const FAULT = { none: 0, jammed: 1 } as const
export const COMMAND_STATUS = { idle: 0, busy: 1, refused: 2, failed: 3 } as const
const CMD_RAISE = 1
const CMD_LOWER = 2

/** A motorised parking lock: holding 0-5, input 0-2 (u32 cycles, i16 temperature), coil 0. */
export class SimLock implements SimUnit {
  readonly type = 'lock'
  readonly idByte = 0x4c
  position: number = POSITION.lowered
  faultCode: number = FAULT.none
  commandStatus: number = COMMAND_STATUS.idle
  cycles = 0
  batteryCv = 1260
  motorTempDeci = 215
  /** The next move jams half-way. */
  jamNext = false
  /** The holding register that takes 1 (raise) and 2 (lower). */
  protected readonly commandAddress: number = 1
  protected vehicle = 0
  private move: { target: number; endsAt: number; jams: boolean } | undefined

  constructor(
    readonly unit: number,
    private readonly travelMs: number,
  ) {}

  advance(now: number): void {
    if (this.move === undefined) return
    const m = this.move
    const at = m.jams ? m.endsAt - this.travelMs / 2 : m.endsAt
    if (now < at) return
    this.move = undefined
    if (m.jams) {
      this.position = POSITION.fault
      this.faultCode = FAULT.jammed
      this.commandStatus = COMMAND_STATUS.failed
      return
    }
    this.position = m.target
    this.commandStatus = COMMAND_STATUS.idle
    this.cycles++
  }

  read(table: Table, address: number): number {
    if (table === 'holding') {
      const regs = [this.position, 0, this.vehicle, this.batteryCv, this.faultCode, this.commandStatus]
      const v = regs[address]
      if (v === undefined) throw new UnitException(ILLEGAL_ADDRESS)
      return v
    }
    if (table === 'input') {
      const temp = this.motorTempDeci & 0xffff
      const regs = [(this.cycles >>> 16) & 0xffff, this.cycles & 0xffff, temp]
      const v = regs[address]
      if (v === undefined) throw new UnitException(ILLEGAL_ADDRESS)
      return v
    }
    if (table === 'coil' && address === 0) return 0
    throw new UnitException(ILLEGAL_ADDRESS)
  }

  write(table: 'coil' | 'holding', address: number, value: number, now: number): void {
    if (table === 'coil') {
      if (address !== 0) throw new UnitException(ILLEGAL_ADDRESS)
      if (value !== 0) this.clearFault()
      return
    }
    if (address !== this.commandAddress) throw new UnitException(ILLEGAL_ADDRESS)
    if (value !== CMD_RAISE && value !== CMD_LOWER) throw new UnitException(ILLEGAL_VALUE)
    this.command(value === CMD_RAISE ? POSITION.raised : POSITION.lowered, now)
  }

  protected command(target: number, now: number): void {
    if (this.position === POSITION.fault) {
      this.commandStatus = COMMAND_STATUS.failed
      return
    }
    // The lock's own detector: it will not rise under a car. The write is accepted (echoed), the
    // refusal shows in the command status register.
    if (target === POSITION.raised && this.vehicle === 1) {
      this.commandStatus = COMMAND_STATUS.refused
      return
    }
    if (this.position === target && this.move === undefined) {
      this.commandStatus = COMMAND_STATUS.idle
      return
    }
    this.position = POSITION.moving
    this.commandStatus = COMMAND_STATUS.busy
    this.move = { target, endsAt: now + this.travelMs, jams: this.jamNext }
    this.jamNext = false
  }

  protected clearFault(): void {
    if (this.position !== POSITION.fault) return
    // After a reset the arm falls back to the lowered stop.
    this.position = POSITION.lowered
    this.faultCode = FAULT.none
    this.commandStatus = COMMAND_STATUS.idle
  }

  setVehicle(present: boolean): void {
    // A car cannot park over a raised arm; the detector still sees one that is there.
    this.vehicle = present ? 1 : 0
  }

  vehiclePresent(): boolean {
    return this.vehicle === 1
  }

  setBatteryVolts(v: number): void {
    this.batteryCv = Math.round(v * 100)
  }
}

/**
 * Another vendor's lock, with another register map (one met on site, built on libmodbus): the
 * same motor and detector, laid out as holding 0 position, 1 vehicle, 2 auto-raise delay (s),
 * 3 command (write 1 raise, 2 lower), 4 fault code, 5-6 the last vehicle tag read (u32,
 * 0xFFFFFFFF for none); input 0-1 cycles, 2 supply voltage (0.01 V, a 36 V motor). Read with the
 * built-in `parking-lock` profile, it gives nonsense: vehicle 3600, battery 0 V, motor 360 °C.
 */
export class SimAltLock extends SimLock {
  protected override readonly commandAddress = 3
  autoRaiseDelayS = 3600
  lastTag = 0xffff_ffff
  supplyCv = 3600

  override read(table: Table, address: number): number {
    const regs =
      table === 'holding'
        ? [this.position, this.vehicle, this.autoRaiseDelayS, 0, this.faultCode, (this.lastTag >>> 16) & 0xffff, this.lastTag & 0xffff]
        : table === 'input'
          ? [(this.cycles >>> 16) & 0xffff, this.cycles & 0xffff, this.supplyCv]
          : table === 'coil' && address === 0
            ? [0]
            : []
    const v = regs[address]
    if (v === undefined) throw new UnitException(ILLEGAL_ADDRESS)
    return v
  }
}

/** An occupancy sensor: discrete 0 occupied; input 0 distance cm, 1-2 battery f32 low word first, 3 status. */
export class SimSensor implements SimUnit {
  readonly type = 'sensor'
  readonly idByte = 0x53
  tamper = false
  signal = 200
  private occupied = false
  private batteryV = 3.6

  constructor(readonly unit: number) {}

  advance(): void {}

  read(table: Table, address: number): number {
    if (table === 'discrete' && address === 0) return this.occupied ? 1 : 0
    if (table !== 'input') throw new UnitException(ILLEGAL_ADDRESS)
    const f = Buffer.alloc(4)
    f.writeFloatBE(this.batteryV)
    const regs = [this.occupied ? 40 : 180, f.readUInt16BE(2), f.readUInt16BE(0), ((this.signal & 0xff) << 8) | (this.tamper ? 1 : 0)]
    const v = regs[address]
    if (v === undefined) throw new UnitException(ILLEGAL_ADDRESS)
    return v
  }

  write(): void {
    throw new UnitException(ILLEGAL_ADDRESS)
  }

  setVehicle(present: boolean): void {
    this.occupied = present
  }

  vehiclePresent(): boolean {
    return this.occupied
  }

  setBatteryVolts(v: number): void {
    this.batteryV = v
  }
}
