import dgram from 'node:dgram'
import { randomUUID } from 'node:crypto'
import { errorMessage } from '../../base/errors.js'
import { OnvifClient } from './client.js'
import { deviceServiceUrl } from './config.js'
import { CameraAuthError, type Credentials } from './http.js'
import { DISCOVERY_ADDRESS, DISCOVERY_PORT, NVT_TYPE, buildProbe, parseProbeMatches, type ProbeMatch } from './ws-discovery.js'

/**
 * Finds ONVIF cameras on the LAN with a WS-Discovery probe and checks each: its address, model,
 * clock and whether the given credentials work. The `pingan discover` command is shell/discover.ts.
 */

export interface ProbeOptions {
  /** Where to send the probe: the multicast group by default, or one host (a unicast probe). */
  target?: { host: string; port: number }
  timeoutMs: number
  /** Local address to send from (picks the interface on a multi-homed box). */
  bindAddress?: string
}

export interface Found extends ProbeMatch {
  /** The address the answer came from. */
  from: string
}

/** Sends one Probe and collects the distinct ProbeMatches that answer it within the timeout. */
export async function probe(o: ProbeOptions): Promise<{ found: Found[]; unreadable: number }> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  const messageId = `urn:uuid:${randomUUID()}`
  const found = new Map<string, Found>()
  let unreadable = 0
  socket.on('message', (msg, rinfo) => {
    try {
      const r = parseProbeMatches(msg.toString('utf8'))
      // [WS-Discovery §5.3] a match answers our probe only if it relates to our MessageID.
      if (r.relatesTo !== messageId) return
      for (const m of r.matches) if (!found.has(m.endpoint)) found.set(m.endpoint, { ...m, from: rinfo.address })
    } catch {
      unreadable++
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, o.bindAddress, () => resolve())
  })
  try {
    const packet = Buffer.from(buildProbe(messageId), 'utf8')
    const host = o.target?.host ?? DISCOVERY_ADDRESS
    const port = o.target?.port ?? DISCOVERY_PORT
    if (!o.target) socket.setMulticastTTL(1)
    // UDP may drop the probe: send it twice [WS-Discovery §3.1.3, MULTICAST_UDP_REPEAT].
    for (let i = 0; i < 2; i++) await new Promise<void>((resolve, reject) => socket.send(packet, port, host, (err) => (err ? reject(err) : resolve())))
    await new Promise((r) => setTimeout(r, o.timeoutMs))
  } finally {
    socket.close()
  }
  return { found: [...found.values()], unreadable }
}

export interface CameraReport {
  endpoint: string
  address: string
  from: string
  name: string | undefined
  model: string | undefined
  manufacturer: string | undefined
  firmware: string | undefined
  clockOffsetMs: number | undefined
  /** 'ok', 'refused', 'not checked' (no credentials), or the error. */
  credentials: string
  /** The configured device at this address (with --config). */
  device?: string
}

/** Configured cameras by "host:port" of their device service, for matching found cameras. */
export function configuredCameras(
  devices: ReadonlyArray<{ id: string; adapter: string; address?: string; username?: string; password?: string }>,
): (address: string) => { device: string; creds: Credentials } | undefined {
  const byHost = new Map<string, { device: string; creds: Credentials }>()
  for (const d of devices) {
    if (d.adapter !== 'onvif' || d.address === undefined || !URL.canParse(deviceServiceUrl(d.address))) continue
    byHost.set(new URL(deviceServiceUrl(d.address)).host, { device: d.id, creds: { username: d.username ?? '', password: d.password ?? '' } })
  }
  return (address) => (URL.canParse(address) ? byHost.get(new URL(address).host) : undefined)
}

/** The device service address to use: the one on the interface the answer came from, if listed. */
function pickXaddr(m: Found): string | undefined {
  return m.xaddrs.find((x) => URL.canParse(x) && new URL(x).hostname === m.from) ?? m.xaddrs[0]
}

/** Credentials for a found camera: the same for all, or looked up per device address. */
export type CredentialSource = Credentials | ((address: string) => { device?: string; creds: Credentials } | undefined)

/** Probes, then checks each camera: clock, identity and credentials. */
export async function discover(o: ProbeOptions & { creds?: CredentialSource; requestTimeoutMs?: number }): Promise<CameraReport[]> {
  const { found } = await probe(o)
  return Promise.all(
    found
      .filter((m) => m.types.includes(NVT_TYPE) || m.types.length === 0)
      .map(async (m): Promise<CameraReport> => {
        const address = pickXaddr(m) ?? ''
        const report: CameraReport = {
          endpoint: m.endpoint,
          address,
          from: m.from,
          name: m.name,
          model: m.hardware,
          manufacturer: undefined,
          firmware: undefined,
          clockOffsetMs: undefined,
          credentials: 'not checked',
        }
        if (!address) return { ...report, credentials: 'no device address in the answer' }
        const found = typeof o.creds === 'function' ? o.creds(address) : o.creds ? { creds: o.creds } : undefined
        if (found?.device !== undefined) report.device = found.device
        const creds = found?.creds
        const client = new OnvifClient({
          label: m.name ?? address,
          deviceUrl: address,
          ...(creds ? { creds } : {}),
          now: Date.now,
          timeoutMs: o.requestTimeoutMs ?? 3000,
          maxResponseBytes: 1024 * 1024,
        })
        try {
          report.clockOffsetMs = await client.measureClock()
          if (!creds) return report
          const info = await client.deviceInformation()
          return { ...report, model: info.model || report.model, manufacturer: info.manufacturer, firmware: info.firmwareVersion, credentials: 'ok' }
        } catch (err) {
          return { ...report, credentials: err instanceof CameraAuthError ? 'refused' : `error: ${errorMessage(err)}` }
        }
      }),
  )
}
