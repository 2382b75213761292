import type { GatewayEvent } from '../../../base/events/event.js'
import type { Dc09UplinkConfig, ReceiverConfig } from './config.js'
import type { XData } from './frame.js'
import { DEFAULT_CODES, type CodeMapping } from './mapping.js'
import { admCidData, siaDcsData } from './tokens.js'

/** What the uplink needs of the site for x-data. */
export interface SiteInfo {
  coordinates?: { lat: number; lon: number }
  /** Device names by id, for the `[I..]` text. */
  deviceNames: ReadonlyMap<string, string>
}

/** The token, data block and x-data of one event for one receiver. */
export interface EventPayload {
  token: 'ADM-CID' | 'SIA-DCS'
  account: string
  data: string
  xdata: XData[]
}

/** The event's code: per-device override, then site override, then the table; null = not sent. */
export function codeFor(cfg: Dc09UplinkConfig, device: string, type: string): CodeMapping | null {
  const dev = cfg.devices[device]?.codes
  if (dev && Object.hasOwn(dev, type)) return dev[type] ?? null
  if (Object.hasOwn(cfg.codes, type)) return cfg.codes[type] ?? null
  return DEFAULT_CODES.get(type) ?? null
}

/** Gateway events every receiver gets, whatever its route. */
const ALWAYS_SENT = new Set(['walktest.started', 'walktest.ended'])

/** Whether a call direction (the uplink's, or a receiver's) takes this event. */
export function routed(cfg: { route?: Dc09UplinkConfig['route'] | undefined }, ev: Pick<GatewayEvent, 'kind' | 'priority'> & { type?: string }): boolean {
  // A centre must know an account is on walk test (its zones' alarms are tests), as it gets the
  // periodic test report, whatever alarms it takes.
  if (ev.type !== undefined && ALWAYS_SENT.has(ev.type)) return true
  if (!cfg.route) return true
  if (ev.priority > cfg.route.maxPriority) return false
  return cfg.route.kinds === undefined || cfg.route.kinds.includes(ev.kind)
}

const numeric = (s: string | undefined) => (s !== undefined && /^\d{1,4}$/.test(s) ? Number(s) : undefined)

/** Zone (or user) number: the device's zone map by zone name, a numeric zone, the device's zone, 0. */
function subjectNumber(cfg: Dc09UplinkConfig, ev: GatewayEvent, code: CodeMapping): number {
  if (code.subject === 'user') return numeric(ev.user) ?? 0
  const dev = cfg.devices[ev.device]
  if (ev.zone !== undefined && dev?.zones && Object.hasOwn(dev.zones, ev.zone)) return dev.zones[ev.zone]!
  return numeric(ev.zone) ?? dev?.zone ?? 0
}

/** Brackets, CR and LF cannot appear inside an x-data block. */
const clean = (s: string) => s.replace(/[[\]\r\n]/g, ' ').slice(0, 200)

function xdataOf(cfg: Dc09UplinkConfig, site: SiteInfo, ev: GatewayEvent): XData[] {
  const x: XData[] = []
  if (cfg.xdata.coordinates && site.coordinates) {
    x.push({ tag: 'X', value: String(site.coordinates.lon) }, { tag: 'Y', value: String(site.coordinates.lat) })
  }
  const snapshot = ev.attrs['snapshot']
  if (cfg.xdata.verificationBaseUrl && typeof snapshot === 'string') {
    x.push({ tag: 'V', value: clean(`${cfg.xdata.verificationBaseUrl.replace(/\/$/, '')}/api/v1/snapshots/${snapshot}`) })
  }
  if (cfg.xdata.text) x.push({ tag: 'I', value: clean(`${site.deviceNames.get(ev.device) ?? ev.device}: ${ev.type}`) })
  if (cfg.xdata.eventId) x.push({ tag: 'U', value: ev.id })
  return x
}

/**
 * The event as one receiver takes it, or undefined when it has no code (then it is not sent).
 * Account: the device's partition, else the receiver's, else the site's.
 */
export function eventPayload(
  cfg: Dc09UplinkConfig,
  site: SiteInfo,
  rcv: Pick<ReceiverConfig, 'token' | 'account'>,
  ev: GatewayEvent,
): EventPayload | undefined {
  const found = codeFor(cfg, ev.device, ev.type)
  if (!found) return undefined
  const code = backupPathCode(cfg, ev, found)
  const dev = cfg.devices[ev.device]
  const account = dev?.account ?? rcv.account ?? cfg.account
  const group = dev?.group ?? (ev.kind === 'gateway' ? 0 : 1)
  const zone = subjectNumber(cfg, ev, code)
  const data =
    rcv.token === 'ADM-CID'
      ? admCidData(account, { qualifier: code.qualifier, code: code.cid, group, zone: Math.min(zone, 999) })
      : siaDcsData(account, { code: code.sia, area: group, zone })
  return { token: rcv.token, account, data, xdata: xdataOf(cfg, site, ev) }
}

/** Contact ID tells the communication paths apart: 351 telco 1 (our primary path), 352 telco 2 (the backup). [DC-05 351, 352] */
function backupPathCode(cfg: Dc09UplinkConfig, ev: GatewayEvent, code: CodeMapping): CodeMapping {
  const ours = ev.kind === 'gateway' && ev.type.startsWith('uplink.path.') && ev.attrs['uplink'] === cfg.id
  if (!ours || code.cid !== 351 || ev.attrs['path'] !== cfg.paths[1]?.name) return code
  return { ...code, cid: 352 }
}

/** A periodic test report or a gateway-made message with no event behind it. */
export function plainPayload(cfg: Dc09UplinkConfig, rcv: Pick<ReceiverConfig, 'token' | 'account'>, code: CodeMapping): EventPayload {
  const account = rcv.account ?? cfg.account
  const data =
    rcv.token === 'ADM-CID'
      ? admCidData(account, { qualifier: code.qualifier, code: code.cid, group: 0, zone: 0 })
      : siaDcsData(account, { code: code.sia, zone: 0 })
  return { token: rcv.token, account, data, xdata: [] }
}
