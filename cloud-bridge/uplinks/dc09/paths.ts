import type { Logger } from '../../../base/log.js'
import type { TimerHandle, Timers } from '../../../base/timers.js'
import { TcpChannel, UdpChannel } from './channel.js'
import { receiverKey, type Dc09UplinkConfig, type ReceiverConfig } from './config.js'
import { ReceiverLink } from './receiver-link.js'

/** One receiver of a path and the link that talks to it. */
export interface Receiver {
  cfg: ReceiverConfig
  link: ReceiverLink
  /** DUH answers so far: the first is warned about, the rest logged at debug with the count. */
  refusals: number
}

/** A transmission path: its receivers in order (primary, then secondary) and its supervision state. */
export interface Path {
  name: string
  index: number
  receivers: Receiver[]
  /** Whether its last message got an ACK (true until shown otherwise). */
  good: boolean
  timer: TimerHandle | undefined
}

export type Dc09Health = {
  activePath: string
  paths: Array<{
    name: string
    good: boolean
    receivers: Array<{ name: string; inFlight: boolean; clockOffsetMs: number; strayReplies: number; lastError?: string }>
  }>
}

export interface PathDeps {
  log: Logger
  timers: Timers
  /** [0, 1): pads and the first sequence number. */
  random: () => number
  /** A receiver's clock differs from ours by `offsetMs`. */
  onOffset: (receiver: string, offsetMs: number) => void
}

/** The paths of the configuration, each receiver with its own link (channel, key, sequence). */
export function buildPaths(cfg: Dc09UplinkConfig, deps: PathDeps): Path[] {
  return cfg.paths.map((p, index) => ({
    name: p.name,
    index,
    good: true,
    timer: undefined,
    receivers: p.receivers.map((r, j) => buildReceiver(cfg, deps, r, `${p.name}/${j === 0 ? 'primary' : 'secondary'}`, p.localAddress)),
  }))
}

function buildReceiver(cfg: Dc09UplinkConfig, deps: PathDeps, r: ReceiverConfig, name: string, localAddress: string | undefined): Receiver {
  const target = { host: r.host, port: r.port, ...(localAddress ? { localAddress } : {}) }
  const key = receiverKey(r)
  const link = new ReceiverLink({
    name,
    channel: r.transport === 'udp' ? new UdpChannel(target) : new TcpChannel(target, r.keepConnection),
    ...(r.receiverNumber !== undefined ? { receiverNumber: r.receiverNumber } : {}),
    ...(r.lineNumber !== undefined ? { lineNumber: r.lineNumber } : {}),
    ...(key ? { key } : {}),
    ackTimeoutMs: cfg.ackTimeoutMs,
    retries: cfg.retries,
    timers: deps.timers,
    log: deps.log,
    firstSeq: 1 + Math.floor(deps.random() * 9999),
    randomByte: () => Math.floor(deps.random() * 256),
    onOffset: (offsetMs) => deps.onOffset(name, offsetMs),
  })
  return { cfg: r, link, refusals: 0 }
}

/** What the health API shows of the paths: which is active, and each receiver's link state. */
export function pathsHealth(paths: Path[], active: number): Dc09Health {
  return {
    activePath: paths[active]!.name,
    paths: paths.map((p) => ({
      name: p.name,
      good: p.good,
      receivers: p.receivers.map((r) => ({
        name: r.link.name,
        inFlight: r.link.inFlight,
        clockOffsetMs: r.link.offsetMs,
        strayReplies: r.link.strayReplies,
        ...(r.link.lastError !== undefined ? { lastError: r.link.lastError } : {}),
      })),
    })),
  }
}
