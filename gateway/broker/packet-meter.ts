/**
 * Follows the MQTT packet boundaries of one connection's inbound bytes and reads each fixed header
 * as soon as it arrives, so a connection can be cut when a packet *announces* too many bytes,
 * before any of them are buffered. The MQTT parser itself (mqtt-packet, inside aedes) accumulates a
 * packet until it is complete, with no limit: a PUBLISH announcing 200 MB is held in memory as it
 * streams in, even before CONNECT. Pure: bytes in, a finding out; no I/O.
 */

/** CONNECT's packet type [MQTT-2.2.1, Table 2.1]. */
const CONNECT = 1
/** The Remaining Length is at most four bytes [MQTT-2.2.3]. */
const MAX_LENGTH_BYTES = 4

export type MeterViolation =
  | { reason: 'too-large'; packetType: number; announcedBytes: number; limitBytes: number }
  | { reason: 'not-connect-first'; packetType: number }
  | { reason: 'malformed-length'; packetType: number }

export class PacketMeter {
  /** Bytes of the current packet's body still to come; 0 means a fixed header is next. */
  private bodyLeft = 0
  private inHeader = false
  private packetType = 0
  private length = 0
  private lengthBytes = 0
  private packets = 0
  private violation: MeterViolation | undefined

  /** @param maxPacketBytes the largest Remaining Length (variable header and payload) accepted. */
  constructor(private readonly maxPacketBytes: number) {
    if (!(maxPacketBytes > 0)) throw new RangeError(`maxPacketBytes must be positive, got ${maxPacketBytes}`)
  }

  /** Feeds the next inbound bytes; returns the first violation seen (and keeps returning it). */
  feed(chunk: Uint8Array): MeterViolation | undefined {
    let i = 0
    while (this.violation === undefined && i < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i)
        this.bodyLeft -= take
        i += take
        continue
      }
      const b = chunk[i++]!
      if (!this.inHeader) {
        this.inHeader = true
        this.packetType = b >> 4
        this.length = 0
        this.lengthBytes = 0
        // [MQTT-3.1.0-1] the first packet from the client must be CONNECT.
        if (this.packets === 0 && this.packetType !== CONNECT) this.violation = { reason: 'not-connect-first', packetType: this.packetType }
        continue
      }
      // Variable byte integer, least significant group first [MQTT-2.2.3].
      this.length += (b & 0x7f) * 128 ** this.lengthBytes++
      if (b & 0x80) {
        if (this.lengthBytes === MAX_LENGTH_BYTES) this.violation = { reason: 'malformed-length', packetType: this.packetType }
        continue
      }
      this.inHeader = false
      this.packets++
      if (this.length > this.maxPacketBytes) {
        this.violation = { reason: 'too-large', packetType: this.packetType, announcedBytes: this.length, limitBytes: this.maxPacketBytes }
      }
      this.bodyLeft = this.length
    }
    return this.violation
  }
}

/** A sentence for the log line. */
export function describeViolation(v: MeterViolation): string {
  switch (v.reason) {
    case 'too-large':
      return `packet of type ${v.packetType} announces ${v.announcedBytes} bytes; the limit is ${v.limitBytes}`
    case 'not-connect-first':
      return `first packet is of type ${v.packetType}, not CONNECT [MQTT-3.1.0-1]`
    case 'malformed-length':
      return `remaining length of a packet of type ${v.packetType} runs past 4 bytes [MQTT-2.2.3]`
  }
}
