import { exponentialMs, seededRandom } from '../parking-lock/rng.js'

/**
 * An alarm receiver's automation port (Sur-Gard MLR2 family) as a pure state machine: the clock
 * comes in as `now` arguments, randomness from a seed. It sends one message at a time, waits 4 s
 * for ACK, repeats on NAK or silence three more times, then gives up and holds its queue until a
 * heartbeat is acknowledged again. [MLR2E manual §9.2]
 *
 * The wire text is written here, not taken from the gateway's codec, so a codec bug cannot hide
 * behind the same bug in the simulator; the test vectors pin both.
 */

export type Qualifier = 'E' | 'R' | 'P'

/** One Contact ID event as a panel reports it. */
export interface SimEvent {
  account: string
  qualifier: Qualifier
  code: string
  group: string
  zone: string
}

export interface ReceiverModelOptions {
  /** RR, two digits (default 01). */
  receiver?: string
  /** L, the line the panel called on (default 1). */
  line?: string
  /** `receiver`: `5RRL 18AAAAQXYZGGCCC`; `panel`: the panel's 16-digit line with its checksum. */
  format?: 'receiver' | 'panel'
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
  randomEvents?: { meanIntervalMs: number; accounts?: string[]; zones?: string[] }
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

const DC4 = 0x14
const ACK = 0x06
const NAK = 0x15
const QUALIFIER_DIGIT: Record<Qualifier, string> = { E: '1', R: '3', P: '6' }
const HEARTBEAT = `1{RR}{L}${' '.repeat(11)}@${' '.repeat(4)}`

/** What a compound's panels send, weighted: mostly tests, open/close, troubles; some alarms. */
const RANDOM_CODES: Array<[code: string, weight: number, restores: boolean]> = [
  ['131', 3, true],
  ['132', 2, true],
  ['137', 1, true],
  ['110', 1, true],
  ['120', 1, false],
  ['301', 2, true],
  ['302', 2, true],
  ['401', 4, true],
  ['570', 1, true],
  ['602', 3, false],
  ['383', 1, true],
  ['351', 1, true],
]

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
    if (this.o.format === 'panel') {
      const body = `${e.account}18${QUALIFIER_DIGIT[e.qualifier]}${e.code}${e.group}${e.zone}`
      return body + checksum(body)
    }
    return `5${this.o.receiver}${this.o.line} 18${e.account}${e.qualifier}${e.code}${e.group}${e.zone}`
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
      this.enqueue(...this.randomEvent())
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
      this.transmit({ text: HEARTBEAT.replace('{RR}', this.o.receiver).replace('{L}', this.o.line), heartbeat: true, attempt: 1, deadline: 0 }, now, out)
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
      out.push({ bytes: this.noise(), what: 'noise' })
    }
    const hit = f.attempt === 1 && this.hitFirstTry.delete(f.text)
    if (!f.heartbeat && (this.random() < this.o.corruptRate || hit)) {
      this.stats.garbled++
      out.push({ bytes: frame(this.garble(f.text)), what: 'garbled', text: f.text, attempt: f.attempt })
      return
    }
    out.push({ bytes: frame(f.text), what: f.heartbeat ? 'heartbeat' : 'event', text: f.text, attempt: f.attempt })
  }

  /** 1-8 random bytes, never DC4: noise that ends a "message" would draw a NAK nobody asked for. */
  private noise(): Buffer {
    const n = 1 + Math.floor(this.random() * 8)
    return Buffer.from(
      Array.from({ length: n }, () => {
        const b = Math.floor(this.random() * 255)
        return b >= DC4 ? b + 1 : b
      }),
    )
  }

  /** A copy that must be refused: a wrong checksum digit, or an impossible qualifier letter. */
  private garble(text: string): string {
    if (this.o.format === 'panel') {
      const last = parseInt(text.at(-1)!, 16)
      return text.slice(0, -1) + ((last % 15) + 1).toString(16).toUpperCase()
    }
    return text.replace(/ 18(....)[ERP]/, ' 18$1X')
  }

  private randomEvent(): SimEvent[] {
    const r = this.o.randomEvents!
    const pick = <T>(xs: T[]): T => xs[Math.floor(this.random() * xs.length)]!
    const total = RANDOM_CODES.reduce((n, c) => n + c[1], 0)
    let x = this.random() * total
    const [code, , restores] = RANDOM_CODES.find((c) => (x -= c[1]) < 0) ?? RANDOM_CODES[0]!
    const account = pick(r.accounts ?? ['1234'])
    const zone =
      code === '401' ? pick(['001', '002', '003']) : code === '602' || code === '301' || code === '302' ? '000' : pick(r.zones ?? ['001', '002', '015'])
    const e: SimEvent = { account, qualifier: 'E', code, group: '01', zone }
    // An alarm and its restore arrive together (a beam broken and cleared between two messages).
    return restores && this.random() < 0.7 ? [e, { ...e, qualifier: 'R' }] : [e]
  }
}

/** [DC-05] checksum: digit 0 weighs 10; the total is a multiple of 15; 0 is sent as F. */
function checksum(body: string): string {
  const sum = [...body].reduce((n, c) => n + (parseInt(c, 16) || 10), 0)
  return ((15 - (sum % 15)) % 15 || 15).toString(16).toUpperCase()
}

function frame(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([DC4])])
}
