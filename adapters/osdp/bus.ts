import type { TimerHandle, Timers } from '../../base/timers.js'
import type { DecodedFrame } from './codec.js'
import type { LinkEvent, PdLink } from './pd-link.js'

export interface BusOptions {
  links: PdLink[]
  replyTimeoutMs: number
  /** Time one byte takes on the line (10 bits per byte at the baud rate); 0 for a TCP server. */
  msPerByte: number
  /** The clock and timers the bus waits with (reply windows, idle sleeps); fake ones in tests. */
  timers: Timers
  /** Puts bytes on the line; rejects when the port is down. */
  write(bytes: Buffer): Promise<void>
  /**
   * Handles what a reply meant. The link's next command (which tells the PD its reply was taken)
   * waits until this resolves: the events are committed before the reader forgets them.
   */
  onEvents(link: PdLink, events: LinkEvent[]): Promise<void>
  /** The reply window closed: drop any half-received packet. */
  onWindowClosed(): void
}

export interface BusCounters {
  exchanges: number
  strayReplies: number
  writeErrors: number
  /** Reply windows kept open a little longer because the gateway was stalled when they ended. */
  lateWindows: number
}

/** Longest sleep between checks, so a clock step cannot strand the loop. */
const MAX_IDLE_MS = 250
/**
 * A window timer firing later than this past the window's end means the gateway itself was not
 * running when the window ended (a loaded host, a long GC pause), not that the reader was slow.
 */
export const LATE_TOLERANCE_MS = 10

/**
 * The multi-drop bus: exactly one command on the wire at a time [OSDP 2.2 §5.7], the readers
 * served round-robin whenever they are due, each reply handed to its link. A link whose events are
 * still being committed is skipped until they are; the others carry on.
 */
export class OsdpBus {
  readonly counters: BusCounters = { exchanges: 0, strayReplies: 0, writeErrors: 0, lateWindows: 0 }
  private current: { link: PdLink; timer: TimerHandle | undefined } | undefined
  private readonly held = new Set<PdLink>()
  private idleTimer: TimerHandle | undefined
  private running = false
  private rr = 0

  constructor(private readonly opts: BusOptions) {}

  start(): void {
    this.running = true
    this.pump()
  }

  stop(): void {
    this.running = false
    this.clear(this.idleTimer)
    if (this.current) this.clear(this.current.timer)
    this.current = undefined
    for (const l of this.opts.links) l.close('gateway stopping')
  }

  /** Something was queued: send it now if the line is free. */
  kick(): void {
    if (this.running && !this.current) this.pump()
  }

  /** A packet from the framer. Commands (our own echo on a two-wire bus) are ignored. */
  onFrame(f: DecodedFrame): void {
    if (!f.reply) return
    const cur = this.current
    // The reply may beat the write's callback (a fast TCP peer): match on the address alone.
    if (!cur || cur.link.address !== f.addr) {
      this.counters.strayReplies++
      return
    }
    const events = cur.link.onReply(f, this.opts.timers.now())
    if (cur.link.awaitingReply) {
      // Ignored (a late duplicate with an old sequence number): keep the window open for the real one.
      if (events.length > 0) void this.opts.onEvents(cur.link, events)
      return
    }
    this.clear(cur.timer)
    this.finish(cur.link, events)
  }

  private pump(): void {
    if (!this.running || this.current) return
    this.clear(this.idleTimer)
    const now = this.opts.timers.now()
    const n = this.opts.links.length
    for (let i = 0; i < n; i++) {
      const link = this.opts.links[(this.rr + i) % n]!
      if (this.held.has(link)) continue
      const bytes = link.next(now)
      if (!bytes) continue
      this.rr = (this.rr + i + 1) % n
      this.send(link, bytes)
      return
    }
    let due = Number.POSITIVE_INFINITY
    for (const l of this.opts.links) if (!this.held.has(l)) due = Math.min(due, l.dueAt())
    const wait = Math.min(MAX_IDLE_MS, Math.max(1, Math.ceil(due - now)))
    this.idleTimer = this.opts.timers.setTimeout(() => this.pump(), wait)
  }

  private send(link: PdLink, bytes: Buffer): void {
    const cur: { link: PdLink; timer: TimerHandle | undefined } = { link, timer: undefined }
    this.current = cur
    this.counters.exchanges++
    // The window opens once our bytes are on the line: count their transmission time in.
    const windowMs = this.opts.replyTimeoutMs + Math.ceil(bytes.length * this.opts.msPerByte)
    const arm = (): void => {
      if (this.current === cur && this.running) this.armWindow(cur, this.opts.timers.now() + windowMs)
    }
    this.opts.write(bytes).then(arm, () => {
      // Port down: the exchange fails like a silent reader, so readers go offline on time.
      this.counters.writeErrors++
      arm()
    })
  }

  /**
   * Closes the reply window at `endsAt`, unless the gateway was stalled past that moment: a reply
   * that came in meanwhile is still unread (Node runs expired timers before it reads the port), so
   * the reader gets back the time the gateway missed, up to one reply timeout, before the window
   * closes. Blaming the reader would resend the command and take the stale reply for the resend's.
   */
  private armWindow(cur: { link: PdLink; timer: TimerHandle | undefined }, endsAt: number): void {
    const close = (): void => {
      if (this.current !== cur) return
      const now = this.opts.timers.now()
      const late = now - endsAt
      if (late > LATE_TOLERANCE_MS) {
        this.counters.lateWindows++
        this.armWindow(cur, now + Math.min(late, this.opts.replyTimeoutMs))
        return
      }
      this.opts.onWindowClosed()
      this.finish(cur.link, cur.link.onTimeout(now))
    }
    cur.timer = this.opts.timers.setTimeout(close, Math.max(0, endsAt - this.opts.timers.now()))
  }

  private clear(timer: TimerHandle | undefined): void {
    if (timer !== undefined) this.opts.timers.clearTimeout(timer)
  }

  private finish(link: PdLink, events: LinkEvent[]): void {
    this.current = undefined
    if (events.length > 0) {
      this.held.add(link)
      const release = (): void => {
        this.held.delete(link)
        this.kick()
      }
      // onEvents handles its own failures; release the link whatever happens.
      this.opts.onEvents(link, events).then(release, release)
    }
    this.pump()
  }
}
