import type http from 'node:http'
import type { Element } from '@xmldom/xmldom'
import { NS, child, textOf } from '../../adapters/onvif/xml.js'
import type { CameraModel } from './model.js'
import * as R from './replies.js'

/**
 * The camera's PullPoint subscriptions: creating one, the subscription manager's operations
 * (PullMessages as a long poll, Renew, Unsubscribe) and the waiting pulls answered when an event arrives.
 */

export const SOAP_TYPE = 'application/soap+xml; charset=utf-8'

/** How this camera's subscription manager behaves, as field firmware does. */
export interface PullPointOptions {
  /** Some cameras push TerminationTime forward on every PullMessages; by default this one does not. */
  pullExtendsTermination?: boolean
  /** Refuse subscription-manager requests without wsa:Action, wsa:MessageID and wsa:To. */
  strictAddressing?: boolean
  /** Fault Renew with ActionNotSupported, as some firmware does. */
  renewUnsupported?: boolean
  /**
   * Axis style: one subscription manager address for all, the subscription named by a
   * wsa:ReferenceParameters SubscriptionId the client must echo as a header.
   */
  referenceParameters?: boolean
}

export interface PullPointStats {
  creates: number
  pulls: number
  renews: number
  unsubscribes: number
  addressingFaults: number
}

interface Waiter {
  res: http.ServerResponse
  limit: number
  timer: NodeJS.Timeout
  relatesTo: string | undefined
}

/** xs:duration of the PnDTnHnMnS form, in ms; NaN when unreadable. */
export function parseDuration(s: string | undefined): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec((s ?? '').trim())
  if (!m) return NaN
  return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000
}

/** Sends a SOAP reply (the camera's HTTP layer may cut it, see CameraSim.corruptNext). */
type SendSoap = (res: http.ServerResponse, status: number, body: string) => void

export class PullPoint {
  private readonly waiters = new Map<string, Waiter[]>()

  constructor(
    private readonly model: CameraModel,
    private readonly stats: PullPointStats,
    private readonly options: PullPointOptions,
    private readonly base: () => string,
    private readonly send: SendSoap,
  ) {}

  /** CreatePullPointSubscription [ONVIF Core §9.1]: a new subscription and its manager's address. */
  create(body: Element, messageId: string | undefined, res: http.ServerResponse): void {
    const ms = parseDuration(textOf(child(body, NS.tev, 'InitialTerminationTime')))
    const s = this.model.subscribe(Number.isFinite(ms) && ms > 0 ? ms : 60_000)
    if (!s) return this.send(res, 400, R.fault('Receiver', ['ter:Action', 'ter:TooManySubscriptions'], 'too many subscriptions'))
    this.stats.creates++
    const t = this.model.cameraTime()
    const reply = this.options.referenceParameters
      ? R.subscription(`${this.base()}/onvif/subscription_manager`, t, s.terminationTime, s.id)
      : R.subscription(`${this.base()}/onvif/subscription/${s.id}`, t, s.terminationTime)
    this.send(res, 200, R.reply(`${NS.tev}/EventPortType/CreatePullPointSubscriptionResponse`, reply, messageId))
  }

  /** One request to a subscription's manager address [ONVIF Core §9.1, WS-BaseNotification §6]. */
  operation(id: string, op: string, body: Element, header: Element | undefined, messageId: string | undefined, res: http.ServerResponse): void {
    const address = `${this.base()}/onvif/subscription/${id}`
    // [WS-Addressing 1.0 SOAP Binding §6.4.1] strict cameras refuse a request without these headers.
    const missing = ['Action', 'MessageID', 'To'].filter((h) => !header || !textOf(child(header, NS.wsa, h)))
    if (this.options.strictAddressing !== false && missing.length > 0) {
      this.stats.addressingFaults++
      return this.send(res, 400, R.fault('Sender', ['wsa:MessageAddressingHeaderRequired'], `missing wsa:${missing.join(', wsa:')}`))
    }
    const sub = this.model.subscriptions.get(id)
    this.model.expire()
    if (!sub || !this.model.subscriptions.has(id)) return this.send(res, 400, R.resourceUnknown(address))
    const t = this.model.cameraTime()
    switch (op) {
      case 'PullMessages': {
        this.stats.pulls++
        const timeout = Math.min(parseDuration(textOf(child(body, NS.tev, 'Timeout'))) || 10_000, 120_000)
        const limit = Number(textOf(child(body, NS.tev, 'MessageLimit')) ?? '100') || 100
        if (this.options.pullExtendsTermination) this.model.renew(id, 60_000)
        if (sub.queue.length > 0) return this.answerPull(id, res, limit, messageId)
        const w: Waiter = { res, limit, relatesTo: messageId, timer: setTimeout(() => this.releaseWaiter(id, w), timeout) }
        const list = this.waiters.get(id) ?? []
        list.push(w)
        this.waiters.set(id, list)
        res.on('close', () => this.dropWaiter(id, w))
        return
      }
      case 'Renew': {
        if (this.options.renewUnsupported) return this.send(res, 400, R.fault('Receiver', ['ter:ActionNotSupported'], 'Renew is not supported'))
        this.stats.renews++
        const ms = parseDuration(textOf(child(body, NS.wsnt, 'TerminationTime')))
        const s = this.model.renew(id, Number.isFinite(ms) && ms > 0 ? ms : 60_000)!
        return this.send(res, 200, R.reply('http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewResponse', R.renew(t, s.terminationTime), messageId))
      }
      case 'Unsubscribe':
        this.stats.unsubscribes++
        this.model.unsubscribe(id)
        for (const w of this.waiters.get(id) ?? []) this.releaseWaiter(id, w)
        return this.send(
          res,
          200,
          R.reply('http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeResponse', '<wsnt:UnsubscribeResponse/>', messageId),
        )
      default:
        return this.send(res, 400, R.fault('Receiver', ['ter:ActionNotSupported'], `${op} is not supported here`))
    }
  }

  private answerPull(id: string, res: http.ServerResponse, limit: number, relatesTo: string | undefined): void {
    const sub = this.model.subscriptions.get(id)
    const t = this.model.cameraTime()
    const messages = this.model.pull(id, limit) ?? []
    const action = `${NS.tev}/PullPointSubscription/PullMessagesResponse`
    this.send(res, 200, R.reply(action, R.pullMessages(t, sub?.terminationTime ?? t, messages), relatesTo))
  }

  private dropWaiter(id: string, w: Waiter): void {
    clearTimeout(w.timer)
    const list = (this.waiters.get(id) ?? []).filter((x) => x !== w)
    if (list.length > 0) this.waiters.set(id, list)
    else this.waiters.delete(id)
  }

  private releaseWaiter(id: string, w: Waiter): void {
    this.dropWaiter(id, w)
    this.answerPull(id, w.res, w.limit, w.relatesTo)
  }

  /** A reboot or a power cut: the waiting pulls go with the connections. */
  dropWaiters(): void {
    for (const list of this.waiters.values()) for (const w of list) clearTimeout(w.timer)
    this.waiters.clear()
  }

  /** Answers the long polls of subscriptions that now have messages [ONVIF Core §9.1, item 4]. */
  wake(): void {
    for (const [id, list] of [...this.waiters]) {
      if ((this.model.subscriptions.get(id)?.queue.length ?? 0) === 0) continue
      const w = list[0]
      if (w) this.releaseWaiter(id, w)
    }
  }
}
