import pino from 'pino'
import { ReceiverModel } from '../../../simulators/alarm-receiver/model.js'
import { openSerial, type ReceiverPort } from '../../../simulators/alarm-receiver/wire.js'
import type { Sent } from '../checker.js'

/**
 * An alarm receiver on a serial line (one end of a socat PTY pair) sending a fixed list of
 * Contact ID messages, one zone each, so each message has its own probe (the zone). A message
 * counts as acknowledged when the receiver hears the gateway's ACK for it; the receiver repeats
 * what was not acknowledged, as an MLR2 does.
 */
export class AlarmLine {
  readonly messages: Sent[]
  private readonly timer: NodeJS.Timeout
  private seen = 0
  private readonly byText = new Map<string, Sent>()

  private constructor(
    private readonly port: ReceiverPort,
    device: string,
    count: number,
  ) {
    if (count > 998) throw new RangeError('a Contact ID zone has three digits: at most 998 messages and one unheard')
    const model = port.model
    this.messages = Array.from({ length: count }, (_, n) => ({ device, n, probe: String(n + 1).padStart(3, '0') }))
    for (const m of this.messages) this.enqueue(m)
    port.poke()
    // The model records each ACK it hears; stamp the acknowledgement time as it grows.
    this.timer = setInterval(() => {
      for (; this.seen < model.deliveredTexts.length; this.seen++) {
        const m = this.byText.get(model.deliveredTexts[this.seen]!)
        if (m) m.ackedAt ??= Date.now()
      }
    }, 5)
  }

  private enqueue(m: Sent): void {
    const e = { account: '1234', qualifier: 'E' as const, code: n2code(m.n), group: '01', zone: m.probe }
    this.byText.set(this.port.model.textOf(e), m)
    this.port.model.enqueue(e)
  }

  /**
   * One more message whose ACK the receiver will not hear (lost on the line), so it repeats it until
   * `hear()`: the gateway commits it and must later merge the repeats. Returns it.
   */
  sendUnheard(): Sent {
    const m: Sent = { device: this.messages[0]?.device ?? 'alarm-rx', n: this.messages.length, probe: String(this.messages.length + 1).padStart(3, '0') }
    this.messages.push(m)
    this.port.setDeaf('events')
    this.enqueue(m)
    this.port.poke()
    return m
  }

  /** ACKs reach the receiver again. */
  hear(): void {
    this.port.setDeaf(false)
    this.port.poke()
  }

  static async open(path: string, device: string, count: number, seed: number): Promise<AlarmLine> {
    const model = new ReceiverModel({ heartbeatMs: 1000, ackTimeoutMs: 1000, seed }, Date.now())
    const port = await openSerial(model, { path, log: pino({ level: 'silent' }) })
    return new AlarmLine(port, device, count)
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.port.close()
  }
}

/** Burglary, fire and a periodic test in turn: three priorities on one line. */
function n2code(n: number): string {
  return ['130', '110', '602'][n % 3]!
}
