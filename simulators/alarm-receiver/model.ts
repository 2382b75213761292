import { exponentialMs, seededRandom } from '../parking-lock/rng.js'
import { eventText, frame, garble, heartbeatText, noise, type SimEvent, type TextFormat } from './line-text.js'
import { randomEvent, type RandomTraffic } from './random-traffic.js'

// The event type stays importable from the model, where simulators and tests take it.
export type { SimEvent } from './line-text.js'

/**
 * An alarm receiver's automation port (Sur-Gard MLR2 family) as a pure state machine: the clock
 * comes in as `now` arguments, randomness from a seed. It sends one message at a time, waits 4 s
 * for ACK, repeats on NAK or silence three more times, then gives up and holds its queue until a
 * heartbeat is acknowledged again. [MLR2E manual §9.2] Its wire text is in `line-text.ts`.
 */

export interface ReceiverModelOptions {
  /** RR, two digits (default 01). */
  receiver?: string
  /** L, the line the panel called on (default 1). */
  line?: string
  /** `receiver`: `5RRL 18AAAAQXYZGGCCC`; `panel`: the panel's 16-digit line with its checksum. */
  format?: TextFormat
  heartbeatMs?: number
  ackTimeoutMs?: number
  /** Repeats after the first try (3 on the MLR2). */
  retries?: number
  seed?: number
  /** Chance that line noise precedes a transmission. */
  noiseRate?: number
  /** Chance that a transmission goes out garbled (a bad checksum, or a broken qualifier). */
  corruptRate?: number
  /** Random panel traffic: a Poisson stream of events with this mean interval. */
  randomEvents?: { meanIntervalMs: number } & RandomTraffic
}

/** Bytes the receiver puts on the line now. */
export interface Transmission {
  bytes: Buffer
  what: 'heartbeat' | 'event' | 'noise' | 'garbled'
  text?: string
  attempt?: number
}

export interface ReceiverStats {
  enqueued: number
  sent: number
  retransmissions: number
  delivered: number
  gaveUp: number
  acks: number
  naks: number
  timeouts: number
  heartbeats: number
  /** ACK or NAK bytes that came when nothing was waiting for one. */
  unexpected: number
  noise: number
  garbled: number
}

const ACK = 0x06
const NAK = 0x15

interface InFlight {
  text: string
  heartbeat: boolean
  attempt: number
  deadline: number
}

export class ReceiverModel {
  readonly stats: ReceiverStats = {
    enqueued: 0,
    sent: 0,
    retransmissions: 0,
    delivered: 0,
    gaveUp: 0,
    acks: 0,
    naks: 0,
    timeouts: 0,
    heartbeats: 0,
    unexpected: 0,
    noise: 0,
    garbled: 0,
  }
  /** Texts acknowledged by the host, in order. */
  readonly deliveredTexts: string[] = []
  private readonly queue: string[] = []
  /** Texts whose first transmission a line hit will garble. */
  private readonly hitFirstTry = new Set<string>()
  /** Events a panel reports later, soonest first (a re-alarm a second after its restore). */
  private readonly scheduled: Array<{ at: number; events: SimEvent[] }> = []
  private inflight: InFlight | undefined
  private up = true
  private nextHeartbeatAt: number
  private nextRandomAt = Infinity
  private readonly random: () => number
  private readonly o: Required<Omit<ReceiverModelOptions, 'randomEvents' | 'seed'>> & Pick<ReceiverModelOptions, 'randomEvents'>

  constructor(opts: ReceiverModelOptions, now: number) {
    this.o = {
      receiver: opts.receiver ?? '01',
      line: opts.line ?? '1',
      format: opts.format ?? 'receiver',
      heartbeatMs: opts.heartbeatMs ?? 30_000,
      ackTimeoutMs: opts.ackTimeoutMs ?? 4000,
      retries: opts.retries ?? 3,
      noiseRate: opts.noiseRate ?? 0,
      corruptRate: opts.corruptRate ?? 0,
      randomEvents: opts.randomEvents,
    }
    this.random = seededRandom(opts.seed ?? 1)
    // The first heartbeat goes out at once, so the host learns the link is alive.
    this.nextHeartbeatAt = now
    if (this.o.randomEvents) this.nextRandomAt = now + exponentialMs(this.random, this.o.randomEvents.meanIntervalMs)
  }

  /** True while the host acknowledges; false after a message was given up, until a heartbeat is ACKed. */
  get linkUp(): boolean {
    return this.up
  }

  /** Messages not yet acknowledged (the one in flight included). */
  get pending(): number {
    return this.queue.length
  }

  /** The text a message goes out as (without DC4). */
  textOf(e: SimEvent): string {
    return eventText(e, this.o.format, this.o.receiver, this.o.line)
  }

  enqueue(...events: SimEvent[]): void {
    for (const e of events) this.queue.push(this.textOf(e))
    this.stats.enqueued += events.length
  }

  /** Queues `events` at `at` (this model's clock), as a panel reporting them then. */
  schedule(at: number, ...events: SimEvent[]): void {
    const i = this.scheduled.findIndex((s) => s.at > at)
    this.scheduled.splice(i < 0 ? this.scheduled.length : i, 0, { at, events })
  }

  /** The first transmission of `e` goes out garbled (a line hit), whatever `corruptRate` says. */
  corruptFirstTry(e: SimEvent): void {
    this.hitFirstTry.add(this.textOf(e))
  }

  /** What the message on the line waits an answer for, if any. */
  get awaiting(): 'heartbeat' | 'event' | undefined {
    return this.inflight && (this.inflight.heartbeat ? 'heartbeat' : 'event')
  }

  /** When `tick()` next has something to do. */
  nextWakeAt(now: number): number {
    const arrival = Math.min(this.nextRandomAt, this.scheduled[0]?.at ?? Infinity)
    if (this.inflight) return Math.min(this.inflight.deadline, arrival)
    if (this.up && this.queue.length > 0) return now
    return Math.min(this.nextHeartbeatAt, arrival)
  }

  /** Advances to `now`: new random events, timeouts, and the next transmission if the line is free. */
  tick(now: number): Transmission[] {
    const out: Transmission[] = []
    while (this.nextRandomAt <= now) {
      this.enqueue(...randomEvent(this.random, this.o.randomEvents!))
      this.nextRandomAt += exponentialMs(this.random, this.o.randomEvents!.meanIntervalMs)
    }
    while (this.scheduled[0] && this.scheduled[0].at <= now) this.enqueue(...this.scheduled.shift()!.events)
    if (this.inflight && now >= this.inflight.deadline) {
      this.stats.timeouts++
      this.fail(now, out)
    }
    if (!this.inflight) this.sendNext(now, out)
    return out
  }

  /** A byte from the host: ACK, NAK, or anything else (ignored). */
  receive(byte: number, now: number): Transmission[] {
    const out: Transmission[] = []
    const f = this.inflight
    if (byte !== ACK && byte !== NAK) return out
    if (!f) {
      this.stats.unexpected++
      return out
    }
    if (byte === NAK) {
      this.stats.naks++
      this.fail(now, out)
    } else {
      this.stats.acks++
      this.inflight = undefined
      if (f.heartbeat) {
        // [MLR2E §9.2] "communication is resumed when the first ACK is received on the heartbeat"
        this.up = true
      } else {
        this.queue.shift()
        this.stats.delivered++
        this.deliveredTexts.push(f.text)
      }
      this.sendNext(now, out)
    }
    return out
  }

  private sendNext(now: number, out: Transmission[]): void {
    if (now >= this.nextHeartbeatAt) {
      this.nextHeartbeatAt = now + this.o.heartbeatMs
      this.stats.heartbeats++
      this.transmit({ text: heartbeatText(this.o.receiver, this.o.line), heartbeat: true, attempt: 1, deadline: 0 }, now, out)
    } else if (this.up && this.queue.length > 0) {
      this.transmit({ text: this.queue[0]!, heartbeat: false, attempt: 1, deadline: 0 }, now, out)
    }
  }

  private fail(now: number, out: Transmission[]): void {
    const f = this.inflight!
    this.inflight = undefined
    if (f.attempt <= this.o.retries) {
      this.stats.retransmissions++
      this.transmit({ ...f, attempt: f.attempt + 1 }, now, out)
      return
    }
    // Given up: the message stays at the head of the queue until the host answers a heartbeat.
    if (!f.heartbeat) this.stats.gaveUp++
    this.up = false
  }

  private transmit(f: InFlight, now: number, out: Transmission[]): void {
    f.deadline = now + this.o.ackTimeoutMs
    this.inflight = f
    this.stats.sent++
    if (this.random() < this.o.noiseRate) {
      this.stats.noise++
      out.push({ bytes: noise(this.random), what: 'noise' })
    }
    const hit = f.attempt === 1 && this.hitFirstTry.delete(f.text)
    if (!f.heartbeat && (this.random() < this.o.corruptRate || hit)) {
      this.stats.garbled++
      out.push({ bytes: frame(garble(f.text, this.o.format)), what: 'garbled', text: f.text, attempt: f.attempt })
      return
    }
    out.push({ bytes: frame(f.text), what: f.heartbeat ? 'heartbeat' : 'event', text: f.text, attempt: f.attempt })
  }
}
