import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeFrame, encodeFrame, type DecodedFrame } from '../../../adapters/osdp/codec.js'
import { KeyStore } from '../../../adapters/osdp/key-store.js'
import { PdLink, type LinkEvent, type PdLinkOptions } from '../../../adapters/osdp/pd-link.js'
import { SCBK_D } from '../../../adapters/osdp/secure.js'
import type { AccessBusModel } from '../../../simulators/access-reader/model.js'

/** One packet without its mark byte. */
export const unmark = (b: Buffer): DecodedFrame => decodeFrame(b[0] === 0xff ? b.subarray(1) : b)

export function keyStore(): KeyStore {
  return new KeyStore(path.join(mkdtempSync(path.join(tmpdir(), 'osdp-keys-')), 'keys.json'))
}

export function link(address: number, over: Partial<PdLinkOptions> = {}): PdLink {
  return new PdLink({
    address,
    keyName: `bus:${address}`,
    useCrc: true,
    secure: false,
    installKey: SCBK_D,
    replyTimeoutMs: 200,
    offlineAfterMs: 8000,
    reconnectIntervalMs: 1000,
    refusedRetryMaxMs: 30_000,
    pollIntervalMs: 100,
    busyRetryMs: 50,
    randomBytes,
    keys: keyStore(),
    ...over,
  })
}

export interface Seen {
  at: number
  address: number
  event: LinkEvent
}

/**
 * Runs PD links against the simulated bus in virtual time, the way the adapter's scheduler does:
 * one packet on the wire at a time, a 200 ms window for the reply. `tamper` may alter or drop a
 * reply before the link sees it.
 */
export class VirtualBus {
  now = 1_000_000
  readonly seen: Seen[] = []
  readonly sent: DecodedFrame[] = []
  /** When each of `sent` went out. */
  readonly sentAt: number[] = []
  tamper: ((reply: Buffer) => Buffer | undefined) | undefined

  constructor(
    readonly links: PdLink[],
    readonly model: AccessBusModel,
  ) {}

  run(ms: number): void {
    const end = this.now + ms
    while (this.now < end) {
      let sentAny = false
      for (const l of this.links) {
        const bytes = l.next(this.now)
        if (!bytes) continue
        sentAny = true
        const cmd = unmark(bytes)
        this.sent.push(cmd)
        this.sentAt.push(this.now)
        this.now += 2
        let reply = this.model.handle(cmd, this.now)
        if (reply && this.tamper) reply = this.tamper(reply)
        const events = reply ? l.onReply(unmark(reply), this.now) : []
        // No reply, or one the link ignored: the window closes as the bus's timer would close it.
        if (!reply || l.awaitingReply) {
          this.now += 200
          events.push(...l.onTimeout(this.now))
        }
        for (const event of events) this.seen.push({ at: this.now, address: l.address, event })
      }
      if (!sentAny) this.now = Math.min(end, Math.max(this.now + 1, Math.min(...this.links.map((l) => l.dueAt()))))
    }
  }

  events(type: LinkEvent['type'], address?: number): Seen[] {
    return this.seen.filter((s) => s.event.type === type && (address === undefined || s.address === address))
  }

  /** Command codes sent to one address, in order. */
  codes(address: number): number[] {
    return this.sent.filter((f) => f.addr === address).map((f) => f.code)
  }
}

/** Re-frames a reply with one MAC byte flipped (CRC made right again): a forged or damaged packet. */
export function flipMac(reply: Buffer): Buffer {
  const f = unmark(reply)
  if (!f.mac) return reply
  const mac = Buffer.from(f.mac)
  mac[0]! ^= 1
  return encodeFrame({ ...f, mac }, { mark: true })
}
