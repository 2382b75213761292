import { seededRandom } from '../parking-lock/rng.js'

/**
 * An ONVIF camera as a pure state machine: its clock (ours plus a skew), credentials, the
 * properties it reports as events, and its pull-point subscriptions. No I/O and no timers: the
 * wire layer (wire.ts) asks it questions and tells it the time through the injected clock.
 */

/** One message in a pull point's queue, in the shape of ONVIF Core §9.1's tt:Message. */
export interface SimMessage {
  topic: string
  /** Absent for stateless events (a line crossing). */
  operation?: 'Initialized' | 'Changed' | 'Deleted'
  utcTime: number
  source: Array<[string, string]>
  data: Array<[string, string]>
}

export interface SimSubscription {
  id: string
  /** On the camera's clock. */
  terminationTime: number
  queue: SimMessage[]
  /** Messages dropped because the client did not pull them in time. */
  dropped: number
}

/** Properties the camera reports: each is a topic with a source item and a boolean data item. */
export const PROPERTIES = {
  motionAlarm: { topic: 'VideoSource/MotionAlarm', source: ['Source', 'VideoSource_0'], value: 'State' },
  cellMotion: { topic: 'RuleEngine/CellMotionDetector/Motion', source: ['Rule', 'MyMotionDetectorRule'], value: 'IsMotion' },
  tamper: { topic: 'RuleEngine/TamperDetector/Tamper', source: ['Rule', 'MyTamperDetectorRule'], value: 'IsTamper' },
  input: { topic: 'Device/Trigger/DigitalInput', source: ['InputToken', 'DigitalInput_0'], value: 'LogicalState' },
  field: { topic: 'RuleEngine/FieldDetector/ObjectsInside', source: ['Rule', 'MyFieldDetectorRule'], value: 'IsInside' },
} as const satisfies Record<string, { topic: string; source: readonly [string, string]; value: string }>
export type PropertyName = keyof typeof PROPERTIES

const LINE_TOPIC = 'RuleEngine/LineDetector/Crossed'
const LINE_SOURCE = ['Rule', 'MyLineDetectorRule'] as const

export interface CameraModelOptions {
  id: string
  username: string
  password: string
  /** Camera clock minus the host clock. */
  skewMs?: number
  now(): number
  seed?: number
  manufacturer?: string
  model?: string
  /** Messages a pull point keeps before dropping the oldest. */
  queueLimit?: number
  /** Subscriptions the camera keeps at once; creating one more fails. */
  maxSubscriptions?: number
}

export class CameraModel {
  readonly id: string
  readonly username: string
  password: string
  skewMs: number
  readonly manufacturer: string
  readonly model: string
  readonly serial: string
  boots = 1
  readonly state: Record<PropertyName, boolean> = { motionAlarm: false, cellMotion: false, tamper: false, input: false, field: false }
  readonly subscriptions = new Map<string, SimSubscription>()
  private readonly rng: () => number
  private nextSub = 1
  private readonly queueLimit: number
  private readonly maxSubscriptions: number

  constructor(private readonly o: CameraModelOptions) {
    this.id = o.id
    this.username = o.username
    this.password = o.password
    this.skewMs = o.skewMs ?? 0
    this.rng = seededRandom(o.seed ?? 1)
    this.manufacturer = o.manufacturer ?? 'Pingan Sim'
    this.model = o.model ?? 'SIM-IPC-2000'
    this.serial = `SN${Math.floor(this.rng() * 1e10)
      .toString()
      .padStart(10, '0')}`
    this.queueLimit = o.queueLimit ?? 1000
    this.maxSubscriptions = o.maxSubscriptions ?? 16
  }

  /** The camera's clock. */
  cameraTime(): number {
    return this.o.now() + this.skewMs
  }

  randomHex(bytes: number): string {
    let s = ''
    for (let i = 0; i < bytes; i++)
      s += Math.floor(this.rng() * 256)
        .toString(16)
        .padStart(2, '0')
    return s
  }

  private propertyMessage(name: PropertyName, operation: 'Initialized' | 'Changed'): SimMessage {
    const p = PROPERTIES[name]
    return { topic: p.topic, operation, utcTime: this.cameraTime(), source: [[...p.source]], data: [[p.value, String(this.state[name])]] }
  }

  /** [ONVIF Core §9.2.2] A new pull point first reports every property's current value as Initialized. */
  subscribe(terminationMs: number): SimSubscription | undefined {
    this.expire()
    if (this.subscriptions.size >= this.maxSubscriptions) return undefined
    const id = `${this.boots}-${this.nextSub++}`
    const queue = (Object.keys(PROPERTIES) as PropertyName[]).map((n) => this.propertyMessage(n, 'Initialized'))
    // The line detector announces itself too, as the C ONVIF server of the field cameras does: an
    // Initialized message with State=false, though a crossing itself is stateless.
    queue.push({ topic: LINE_TOPIC, operation: 'Initialized', utcTime: this.cameraTime(), source: [[...LINE_SOURCE]], data: [['State', 'false']] })
    const sub = { id, terminationTime: this.cameraTime() + terminationMs, queue, dropped: 0 }
    this.subscriptions.set(id, sub)
    return sub
  }

  /** Removes subscriptions past their termination time. */
  expire(): void {
    const t = this.cameraTime()
    for (const [id, s] of this.subscriptions) if (s.terminationTime <= t) this.subscriptions.delete(id)
  }

  /** Takes up to `limit` messages; undefined when the subscription does not exist. */
  pull(id: string, limit: number): SimMessage[] | undefined {
    this.expire()
    const sub = this.subscriptions.get(id)
    if (!sub) return undefined
    return sub.queue.splice(0, Math.max(1, limit))
  }

  renew(id: string, terminationMs: number): SimSubscription | undefined {
    this.expire()
    const sub = this.subscriptions.get(id)
    if (sub) sub.terminationTime = this.cameraTime() + terminationMs
    return sub
  }

  unsubscribe(id: string): boolean {
    return this.subscriptions.delete(id)
  }

  private broadcast(m: SimMessage): void {
    this.expire()
    for (const sub of this.subscriptions.values()) {
      sub.queue.push(m)
      while (sub.queue.length > this.queueLimit) {
        sub.queue.shift()
        sub.dropped++
      }
    }
  }

  /** Sets a property; a change is queued as a Changed message on every subscription. */
  set(name: PropertyName, active: boolean): void {
    if (this.state[name] === active) return
    this.state[name] = active
    this.broadcast(this.propertyMessage(name, 'Changed'))
  }

  /** A stateless line-crossing event [ONVIF Analytics, tns1:RuleEngine/LineDetector/Crossed]. */
  lineCrossed(objectId: number): void {
    this.broadcast({ topic: LINE_TOPIC, utcTime: this.cameraTime(), source: [[...LINE_SOURCE]], data: [['ObjectId', String(objectId)]] })
  }

  /** Any topic under tns1, for vendor-specific or unknown events. */
  publish(topic: string, data: Array<[string, string]>, operation?: 'Changed'): void {
    this.broadcast({ topic, utcTime: this.cameraTime(), source: [], data, ...(operation ? { operation } : {}) })
  }

  /**
   * A reboot: every subscription is lost, and the clock may come back different. The detectors
   * start from what they read at boot: `sensors` (a digital input wired closed, a lens covered
   * while the camera was off), everything else inactive.
   */
  reboot(skewMs?: number, sensors: Partial<Record<PropertyName, boolean>> = {}): void {
    this.subscriptions.clear()
    this.boots++
    for (const k of Object.keys(this.state) as PropertyName[]) this.state[k] = sensors[k] ?? false
    if (skewMs !== undefined) this.skewMs = skewMs
  }
}
