import { CodecError } from '../../base/errors.js'
import { crcOk, withCrc } from './crc.js'
import { describeException } from './exceptions.js'

/**
 * Modbus RTU application data units, as a pure codec: requests to bytes, response bytes to values.
 * Sources: Modbus Application Protocol Specification V1.1b3 (MB-AP) and Modbus over Serial Line
 * V1.02 (SL). An RTU frame is unit (1 byte), PDU (function code + data), CRC-16 low byte first.
 */
export const FC = {
  READ_COILS: 0x01,
  READ_DISCRETE_INPUTS: 0x02,
  READ_HOLDING_REGISTERS: 0x03,
  READ_INPUT_REGISTERS: 0x04,
  WRITE_SINGLE_COIL: 0x05,
  WRITE_SINGLE_REGISTER: 0x06,
  WRITE_MULTIPLE_COILS: 0x0f,
  WRITE_MULTIPLE_REGISTERS: 0x10,
  REPORT_SERVER_ID: 0x11,
} as const

/** Function code bit 7 marks an exception response. [MB-AP §7] */
export const EXCEPTION_FLAG = 0x80

/** Broadcast address: every unit acts, none replies. [SL §2.2] */
export const BROADCAST_UNIT = 0
export const MAX_UNIT = 247
/** An RTU ADU is at most 256 bytes. [SL §2.5.1.1] */
export const MAX_ADU_BYTES = 256

/** Quantity limits per request. [MB-AP §6.1-6.12] */
const MAX_READ_BITS = 2000
const MAX_READ_REGISTERS = 125
const MAX_WRITE_BITS = 1968
const MAX_WRITE_REGISTERS = 123

export type ReadFc = 0x01 | 0x02 | 0x03 | 0x04
export type ModbusRequest =
  | { unit: number; fc: ReadFc; address: number; quantity: number }
  | { unit: number; fc: 0x05; address: number; value: boolean }
  | { unit: number; fc: 0x06; address: number; value: number }
  | { unit: number; fc: 0x0f; address: number; values: boolean[] }
  | { unit: number; fc: 0x10; address: number; values: number[] }
  | { unit: number; fc: 0x11 }

export type ModbusResponse =
  | { unit: number; fc: 0x01 | 0x02; bits: boolean[] }
  | { unit: number; fc: 0x03 | 0x04; registers: number[] }
  | { unit: number; fc: 0x05; address: number; value: boolean }
  | { unit: number; fc: 0x06; address: number; value: number }
  | { unit: number; fc: 0x0f | 0x10; address: number; quantity: number }
  | { unit: number; fc: 0x11; serverId: Buffer; running: boolean }

/** A unit answered with an exception response: it is alive, but refused the request. */
export class ModbusException extends Error {
  constructor(
    readonly unit: number,
    readonly fc: number,
    readonly exceptionCode: number,
  ) {
    super(`unit ${unit} function 0x${hex2(fc)}: exception 0x${hex2(exceptionCode)} ${describeException(exceptionCode)}`)
    this.name = 'ModbusException'
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0')
}

export function isWriteFc(fc: number): boolean {
  return fc === FC.WRITE_SINGLE_COIL || fc === FC.WRITE_SINGLE_REGISTER || fc === FC.WRITE_MULTIPLE_COILS || fc === FC.WRITE_MULTIPLE_REGISTERS
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new CodecError(what)
}

function checkHeader(unit: number, fc: number, address: number): void {
  check(Number.isInteger(unit) && unit >= 0 && unit <= MAX_UNIT, `unit ${unit} is outside 0-${MAX_UNIT}`)
  // Only writes may be broadcast: a read to unit 0 would have no answer. [SL §2.2]
  check(unit !== BROADCAST_UNIT || isWriteFc(fc), `function 0x${hex2(fc)} cannot be broadcast`)
  check(Number.isInteger(address) && address >= 0 && address <= 0xffff, `address ${address} is outside 0-65535`)
}

function checkRange(address: number, quantity: number, max: number): void {
  check(Number.isInteger(quantity) && quantity >= 1 && quantity <= max, `quantity ${quantity} is outside 1-${max}`)
  check(address + quantity <= 0x10000, `address ${address} + quantity ${quantity} runs past 65535`)
}

/** Packs booleans LSB first, first bit in the first byte. [MB-AP §6.1, §6.11] */
export function packBits(bits: readonly boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8))
  bits.forEach((b, i) => {
    if (b) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7))
  })
  return out
}

export function unpackBits(bytes: Uint8Array, count: number): boolean[] {
  const out: boolean[] = []
  for (let i = 0; i < count; i++) out.push((((bytes[i >> 3] as number) >> (i & 7)) & 1) === 1)
  return out
}

/** Encodes a request as an RTU ADU (unit, PDU, CRC). Throws CodecError on a value the spec forbids. */
export function encodeRequest(req: ModbusRequest): Buffer {
  if (req.fc === FC.REPORT_SERVER_ID) {
    check(req.unit >= 1 && req.unit <= MAX_UNIT, `unit ${req.unit} is outside 1-${MAX_UNIT}`)
    return withCrc(Buffer.from([req.unit, req.fc]))
  }
  checkHeader(req.unit, req.fc, req.address)
  const head = Buffer.alloc(6)
  head[0] = req.unit
  head[1] = req.fc
  head.writeUInt16BE(req.address, 2)
  switch (req.fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS:
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS: {
      const bits = req.fc === FC.READ_COILS || req.fc === FC.READ_DISCRETE_INPUTS
      checkRange(req.address, req.quantity, bits ? MAX_READ_BITS : MAX_READ_REGISTERS)
      head.writeUInt16BE(req.quantity, 4)
      return withCrc(head)
    }
    case FC.WRITE_SINGLE_COIL:
      // ON is 0xFF00, OFF 0x0000; any other value is illegal. [MB-AP §6.5]
      head.writeUInt16BE(req.value ? 0xff00 : 0x0000, 4)
      return withCrc(head)
    case FC.WRITE_SINGLE_REGISTER:
      check(Number.isInteger(req.value) && req.value >= 0 && req.value <= 0xffff, `register value ${req.value} is outside 0-65535`)
      head.writeUInt16BE(req.value, 4)
      return withCrc(head)
    case FC.WRITE_MULTIPLE_COILS: {
      checkRange(req.address, req.values.length, MAX_WRITE_BITS)
      head.writeUInt16BE(req.values.length, 4)
      const data = packBits(req.values)
      return withCrc(Buffer.concat([head, Buffer.from([data.length]), data]))
    }
    case FC.WRITE_MULTIPLE_REGISTERS: {
      checkRange(req.address, req.values.length, MAX_WRITE_REGISTERS)
      head.writeUInt16BE(req.values.length, 4)
      const data = Buffer.alloc(req.values.length * 2)
      req.values.forEach((v, i) => {
        check(Number.isInteger(v) && v >= 0 && v <= 0xffff, `register value ${v} is outside 0-65535`)
        data.writeUInt16BE(v, i * 2)
      })
      return withCrc(Buffer.concat([head, Buffer.from([data.length]), data]))
    }
  }
}

/** Length in bytes of the normal reply to `req`, or undefined when the device decides (0x11). */
export function replyLength(req: ModbusRequest): number | undefined {
  switch (req.fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS:
      return 5 + Math.ceil(req.quantity / 8)
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS:
      return 5 + 2 * req.quantity
    case FC.REPORT_SERVER_ID:
      return undefined
    default:
      return 8
  }
}

/** True when no reply is expected: broadcast writes. [SL §2.2] */
export function expectsReply(req: ModbusRequest): boolean {
  return req.unit !== BROADCAST_UNIT
}

/**
 * Decodes one complete RTU response frame for `req`. Throws ModbusException for an exception
 * response and CodecError for a frame that does not answer `req` (bad CRC, wrong unit or
 * function, wrong length, a write echo that differs from what was written).
 */
export function decodeResponse(frame: Uint8Array, req: ModbusRequest): ModbusResponse {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  check(buf.length >= 5, `frame of ${buf.length} bytes is too short`)
  check(crcOk(buf), 'CRC mismatch')
  const unit = buf[0] as number
  const fc = buf[1] as number
  check(unit === req.unit, `reply from unit ${unit}, expected ${req.unit}`)
  if (fc === (req.fc | EXCEPTION_FLAG)) {
    check(buf.length === 5, `exception frame of ${buf.length} bytes, expected 5`)
    throw new ModbusException(unit, req.fc, buf[2] as number)
  }
  check(fc === req.fc, `reply with function 0x${hex2(fc)}, expected 0x${hex2(req.fc)}`)
  const body = buf.subarray(2, buf.length - 2)
  switch (req.fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS: {
      const n = Math.ceil(req.quantity / 8)
      check(body[0] === n && body.length === n + 1, `byte count ${String(body[0])} does not fit ${req.quantity} bits`)
      return { unit, fc: req.fc, bits: unpackBits(body.subarray(1), req.quantity) }
    }
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS: {
      const n = req.quantity * 2
      check(body[0] === n && body.length === n + 1, `byte count ${String(body[0])} does not fit ${req.quantity} registers`)
      const registers: number[] = []
      for (let i = 0; i < req.quantity; i++) registers.push(body.readUInt16BE(1 + i * 2))
      return { unit, fc: req.fc, registers }
    }
    case FC.WRITE_SINGLE_COIL:
    case FC.WRITE_SINGLE_REGISTER: {
      // The normal response is an echo of the request. [MB-AP §6.5, §6.6]
      check(body.length === 4, `write echo of ${body.length} bytes, expected 4`)
      const address = body.readUInt16BE(0)
      const raw = body.readUInt16BE(2)
      check(address === req.address, `write echo for address ${address}, expected ${req.address}`)
      if (req.fc === FC.WRITE_SINGLE_COIL) {
        check(raw === (req.value ? 0xff00 : 0), 'write echo value differs from the request')
        return { unit, fc: req.fc, address, value: req.value }
      }
      check(raw === req.value, 'write echo value differs from the request')
      return { unit, fc: req.fc, address, value: raw }
    }
    case FC.WRITE_MULTIPLE_COILS:
    case FC.WRITE_MULTIPLE_REGISTERS: {
      check(body.length === 4, `write reply of ${body.length} bytes, expected 4`)
      const address = body.readUInt16BE(0)
      const quantity = body.readUInt16BE(2)
      check(address === req.address && quantity === req.values.length, 'write reply names other registers than the request')
      return { unit, fc: req.fc, address, quantity }
    }
    case FC.REPORT_SERVER_ID: {
      // Byte count, server id (device specific length), run indicator 0x00/0xFF, extra data. [MB-AP §6.13]
      const n = body[0] as number
      check(n >= 2 && body.length === n + 1, `byte count ${n} does not match the frame`)
      const data = body.subarray(1)
      // Without a vendor map we take the id as every byte before the run indicator in the last byte.
      return { unit, fc: req.fc, serverId: Buffer.from(data.subarray(0, n - 1)), running: data[n - 1] === 0xff }
    }
  }
}
