import type { Registry } from 'prom-client'
import { stateCounter, stateGauge, type Sample } from './define.js'
import type { LinkStats } from '../../adapters/types.js'
import type { MetricsAdapter, MetricsSources } from './sources.js'

/** Each link counter of `health()` as its own metric (Prometheus names carry the unit). */
const LINK: ReadonlyArray<[field: keyof LinkStats, name: string, help: string]> = [
  ['frames', 'pingan_device_link_frames_total', 'Frames the adapter exchanged with the device.'],
  ['retries', 'pingan_device_link_retries_total', 'Requests the adapter sent again.'],
  ['crcErrors', 'pingan_device_link_crc_errors_total', 'Frames dropped for a bad checksum.'],
  ['timeouts', 'pingan_device_link_timeouts_total', 'Requests the device did not answer in time.'],
  ['droppedBytes', 'pingan_device_link_dropped_bytes_total', 'Bytes the framer discarded (noise, partial frames).'],
]

/**
 * Per device: online (the adapter's `health()` where it has one, else the retained state) and link
 * quality. An adapter without `health()` exposes its `stats()` counters by name instead.
 */
export function deviceMetrics(registry: Registry, sources: () => Pick<MetricsSources, 'devices' | 'adapters'> | undefined): void {
  const devices = () => sources()?.devices() ?? []
  const adapters = (): Array<[string, MetricsAdapter]> => [...(sources()?.adapters ?? [])]
  stateGauge(registry, {
    name: 'pingan_device_online',
    help: '1 while the device is online.',
    labelNames: ['device', 'kind'],
    read: () => devices().map((d) => [{ device: d.device, kind: d.kind }, (sources()?.adapters.get(d.device)?.health?.().online ?? d.online) ? 1 : 0]),
  })
  for (const [field, name, help] of LINK) {
    stateCounter(registry, {
      name,
      help,
      labelNames: ['device'],
      read: () =>
        adapters().flatMap(([device, a]): Array<Sample<'device'>> => {
          const h = a.health?.()
          return h ? [[{ device }, h.link[field]]] : []
        }),
    })
  }
  stateGauge(registry, {
    name: 'pingan_device_last_seen_timestamp_seconds',
    help: 'When the adapter last heard from the device (Unix time).',
    labelNames: ['device'],
    read: () =>
      adapters().flatMap(([device, a]): Array<Sample<'device'>> => {
        const at = a.health?.().lastSeenAt
        return at === undefined ? [] : [[{ device }, at / 1000]]
      }),
  })
  stateGauge(registry, {
    name: 'pingan_device_adapter_stat',
    help: "Counters of adapters that report no link health, by the adapter's own name for them.",
    labelNames: ['device', 'stat'],
    read: () =>
      adapters().flatMap(([device, a]): Array<Sample<'device' | 'stat'>> => {
        if (a.health) return []
        return Object.entries(a.stats?.() ?? {})
          .filter(([, v]) => Number.isFinite(v))
          .map(([stat, v]) => [{ device, stat }, v])
      }),
  })
}
