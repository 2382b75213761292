import dgram from 'node:dgram'
import { randomUUID } from 'node:crypto'
import { NS, child, parseXml, resolveQName, soapBody, textOf } from '../../adapters/onvif/xml.js'
import { escapeXml } from '../../adapters/onvif/xml.js'
import type { CameraSim } from './wire.js'

/**
 * The cameras' side of WS-Discovery [WS-Discovery 2005/04 §5.3; ONVIF Core §7.3]: every camera
 * answers a Probe for video devices with its own ProbeMatches datagram, sent unicast to the
 * prober's address and port. One responder answers for all the cameras of a process.
 */

const WSD = 'http://schemas.xmlsoap.org/ws/2005/04/discovery'
const WSA = 'http://schemas.xmlsoap.org/ws/2004/08/addressing'
const DN = 'http://www.onvif.org/ver10/network/wsdl'

/** The Probe's MessageID when it asks for video devices (or for any type). */
function readProbe(text: string): string | undefined {
  let doc: ReturnType<typeof parseXml>
  try {
    doc = parseXml(text)
  } catch {
    return undefined
  }
  const body = soapBody(doc)
  if (!body || body.namespaceURI !== WSD || body.localName !== 'Probe') return undefined
  const header = child(doc.documentElement!, NS.soap, 'Header')
  const id = header ? textOf(child(header, WSA, 'MessageID')) : undefined
  const types = child(body, WSD, 'Types')
  const wanted =
    !types ||
    (textOf(types) ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .some((q) => {
        const r = resolveQName(types, q)
        return r.ns === DN && r.local === 'NetworkVideoTransmitter'
      })
  return wanted ? id : undefined
}

function probeMatches(cam: CameraSim, uuid: string, relatesTo: string, seq: number): string {
  const scopes = [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Profile/Streaming',
    `onvif://www.onvif.org/hardware/${encodeURIComponent(cam.model.model)}`,
    `onvif://www.onvif.org/name/${encodeURIComponent(cam.id)}`,
  ].join(' ')
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:a="${WSA}" xmlns:d="${WSD}" xmlns:dn="${DN}" xmlns:tds="${NS.tds}">` +
    `<s:Header><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` +
    `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    `<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action><d:AppSequence InstanceId="1" MessageNumber="${seq}"/></s:Header>` +
    `<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:${uuid}</a:Address></a:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>${escapeXml(scopes)}</d:Scopes>` +
    `<d:XAddrs>${escapeXml(cam.deviceUrl)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`
  )
}

export interface DiscoveryResponder {
  port: number
  probes: number
  close(): Promise<void>
}

/**
 * Answers probes for `cameras`. Binds `host:port` (loopback and a free port for tests); with
 * `multicast` it binds 3702 and joins 239.255.255.250 like a camera on a LAN.
 */
export async function startDiscoveryResponder(
  cameras: readonly CameraSim[],
  opts: { host?: string; port?: number; multicast?: boolean } = {},
): Promise<DiscoveryResponder> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  const uuids = cameras.map(() => randomUUID())
  let seq = 0
  const state = { port: 0, probes: 0 }
  socket.on('message', (msg, rinfo) => {
    const id = readProbe(msg.toString('utf8'))
    if (id === undefined) return
    state.probes++
    cameras.forEach((cam, i) => {
      const reply = Buffer.from(probeMatches(cam, uuids[i]!, id, ++seq), 'utf8')
      socket.send(reply, rinfo.port, rinfo.address)
    })
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    const host = opts.multicast ? undefined : (opts.host ?? '127.0.0.1')
    socket.bind(opts.multicast ? 3702 : (opts.port ?? 0), host, () => resolve())
  })
  if (opts.multicast) socket.addMembership('239.255.255.250')
  state.port = socket.address().port
  return {
    get port() {
      return state.port
    },
    get probes() {
      return state.probes
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
