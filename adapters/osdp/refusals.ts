import { backoffCeiling } from '../../base/backoff.js'
import { NAK, type Nak } from './replies.js'

/**
 * What keeps a reader from being served, as far as the control panel can tell. Each names a fix
 * (see `faults.ts`); the link works out which from the NAK code or the handshake step that failed.
 */
export type FaultCause =
  /** NAK 0x06 to clear-text commands: the reader talks only inside a secure channel [Annex D.1]. */
  | 'needs-secure-channel'
  /** NAK 0x05 to our security blocks: the reader has no secure channel support. */
  | 'no-secure-channel'
  /** NAK 0x04 again and again: someone else's sequence numbers on this address. */
  | 'sequence'
  /** The reader answers under a key the store does not hold (replaced, or reset to factory keys). */
  | 'unknown-key'
  /** The reader refuses the install key: it already has its own, and the store has none. */
  | 'install-key'
  /** MAC failures, a dropped session or a refused cryptogram inside an otherwise working channel. */
  | 'secure-channel'

export interface Refusal {
  cause: FaultCause
  /** The last failure in words (the NAK's reason, the handshake's complaint). */
  detail: string
}

/** Failed attempts in a row before the reader is reported faulty: one glitch is not a fault. */
export const FAULT_AFTER = 2
/**
 * A run of failed attempts to serve one reader (NAKs that restart the start-up sequence, secure
 * channel failures), from the first to the next POLL the reader answers. The first failure is
 * retried at once (a reader restart costs one NAK); from the second on the retries back off,
 * doubling from the reconnect interval up to `maxMs`, and the fault is reported once.
 */
export class Refusals {
  count = 0
  last: Refusal | undefined
  private reported = false

  constructor(
    private readonly reconnectIntervalMs: number,
    private readonly maxMs: number,
  ) {}

  /** One more failed attempt; returns the fault to report, once per run. */
  note(r: Refusal): Refusal | undefined {
    this.count++
    this.last = r
    if (this.count < FAULT_AFTER || this.reported) return undefined
    this.reported = true
    return r
  }

  /** The wait before the next attempt; `backOff` asks for at least one reconnect interval. */
  retryDelayMs(backOff = false): number {
    if (this.count <= 1 && !backOff) return 0
    // The shared ceiling without jitter: the gateway is the bus's only master, so there is no
    // crowd to spread, and a fixed schedule is what an installer watching the line expects.
    return backoffCeiling({ initialMs: this.reconnectIntervalMs, maxMs: this.maxMs }, this.count - FAULT_AFTER)
  }

  /** The reader answered a POLL: the run is over. Undefined when there was none. */
  clear(): { failures: number; fault: boolean } | undefined {
    if (this.count === 0) return undefined
    const run = { failures: this.count, fault: this.reported }
    this.count = 0
    this.last = undefined
    this.reported = false
    return run
  }
}

/** The NAKs that mean the reader will not talk to us as we are [§7.3 table 45]; `secure`: we use the secure channel with it. */
export function refusalCause(nak: Nak, secure: boolean): FaultCause | undefined {
  if (nak.code === NAK.SEQUENCE) return 'sequence'
  if (nak.code === NAK.SECURITY) return secure ? 'no-secure-channel' : 'secure-channel'
  if (nak.code === NAK.ENCRYPTION_REQUIRED) return secure ? 'secure-channel' : 'needs-secure-channel'
  return undefined
}

/** A refused CHLNG: no secure channel at all (0x05), or not under the key we named. */
export function handshakeCause(nak: Nak, usedInstallKey: boolean): FaultCause {
  if (nak.code === NAK.SECURITY) return 'no-secure-channel'
  return usedInstallKey ? 'install-key' : 'unknown-key'
}
