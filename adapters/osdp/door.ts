import type { OsdpReaderConfig } from './config.js'

/** A door-state change, for the adapter to turn into an event. */
export type DoorEvent =
  | { type: 'door.open'; granted: boolean }
  | { type: 'door.closed'; openMs: number }
  | { type: 'door.forced' }
  | { type: 'door.forced.restore' }
  | { type: 'door.held'; openMs: number }
  | { type: 'door.held.restore' }

/**
 * One door: contact input, strike and the grant window. Pure; the clock comes in with each call.
 * An opening with no confirmed grant (a strike pulse the reader acknowledged, for a local grant or
 * an unlock command) in the window is forced; an
 * opening that outlasts `heldOpenMs` is held; each ends with its restore when the door closes.
 */
export class DoorLogic {
  open: boolean | undefined
  private openedAt = 0
  private grantedUntil = 0
  private forced = false
  private held = false

  constructor(private readonly cfg: Pick<OsdpReaderConfig, 'contactInput' | 'contactOpenWhenActive' | 'strikePulseMs' | 'heldOpenMs' | 'grantGraceMs'>) {}

  /**
   * The reader confirmed the strike command (its ACK to osdp_OUT): an opening before the pulse
   * (plus grace) ends is legitimate. Call it on the confirmation, never on the intent: a command
   * the reader refused or never answered moved no strike.
   */
  grant(now: number, pulseMs = this.cfg.strikePulseMs): void {
    this.grantedUntil = Math.max(this.grantedUntil, now + pulseMs + this.cfg.grantGraceMs)
  }

  /** A lock, or an unlock that failed: whatever window was open ends now. */
  revoke(): void {
    this.grantedUntil = 0
  }

  /** An input report (osdp_ISTATR). The first one only sets the state: nothing happened yet. */
  inputs(inputs: boolean[], now: number): DoorEvent[] {
    if (this.cfg.contactInput === undefined) return []
    const active = inputs[this.cfg.contactInput]
    if (active === undefined) return []
    const open = active === this.cfg.contactOpenWhenActive
    const was = this.open
    this.open = open
    if (was === undefined) {
      if (open) this.openedAt = now
      return []
    }
    if (open === was) return []
    return open ? this.opened(now) : this.closed(now)
  }

  /** Held-open check; call at `nextCheckAt()`. */
  tick(now: number): DoorEvent[] {
    if (!this.open || this.held || now - this.openedAt < this.cfg.heldOpenMs) return []
    this.held = true
    return [{ type: 'door.held', openMs: now - this.openedAt }]
  }

  /** When `tick` may next have something to say. */
  nextCheckAt(): number {
    return this.open && !this.held ? this.openedAt + this.cfg.heldOpenMs : Number.POSITIVE_INFINITY
  }

  private opened(now: number): DoorEvent[] {
    this.openedAt = now
    const granted = now <= this.grantedUntil
    // A grant lets one person through: the next opening needs a new one.
    this.grantedUntil = 0
    if (granted) return [{ type: 'door.open', granted: true }]
    this.forced = true
    return [{ type: 'door.forced' }, { type: 'door.open', granted: false }]
  }

  private closed(now: number): DoorEvent[] {
    const out: DoorEvent[] = [{ type: 'door.closed', openMs: now - this.openedAt }]
    if (this.forced) out.push({ type: 'door.forced.restore' })
    if (this.held) out.push({ type: 'door.held.restore' })
    this.forced = false
    this.held = false
    return out
  }
}
