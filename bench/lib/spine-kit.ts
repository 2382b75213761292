import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { ConfigSchema, type GatewayConfig } from '../../config/schema.js'
import { Journal } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { createLogger } from '../../base/log.js'
import { nowMs } from './stats.js'

/** What the spine benchmarks share: the gateway's config, producers, a QoS 1 flood and a prefilled journal. */
export const SITE = 'bench'
export const PRODUCERS = 10
export const PRODUCER = { username: 'bench-producer', password: 'bench-producer-pw' }

/** The gateway's config; `deviceCount` mqtt-ingest devices (dev0...), all spoken for by the bench producer. */
export function config(dir: string, platformPort: number | undefined, deviceCount = PRODUCERS): GatewayConfig {
  const devices = Array.from({ length: deviceCount }, (_, i) => ({ id: `dev${i}`, adapter: 'mqtt-ingest', kind: 'alarm' }))
  return ConfigSchema.parse({
    version: 1,
    site: { id: SITE, name: 'Benchmark' },
    broker: {
      host: '127.0.0.1',
      port: 0,
      users: [{ ...PRODUCER, role: 'producer', devices: devices.map((d) => d.id) }],
      // PINGAN_BENCH_INFLIGHT and PINGAN_BENCH_BATCH try other bounds than the defaults.
      ...(process.env['PINGAN_BENCH_INFLIGHT'] ? { maxIngestInflight: Number(process.env['PINGAN_BENCH_INFLIGHT']) } : {}),
    },
    api: { host: '127.0.0.1', port: 0, tokens: ['bench-token-0123456789'] },
    journal: {
      path: join(dir, 'journal.db'),
      maxRows: 3_000_000,
      maxBytes: 4 * 1024 ** 3,
      spareBytes: 0,
      ...(process.env['PINGAN_BENCH_BATCH'] ? { batchMaxEvents: Number(process.env['PINGAN_BENCH_BATCH']) } : {}),
    },
    uplinks:
      platformPort === undefined
        ? []
        : [
            {
              id: 'platform',
              type: 'mqtt',
              url: `mqtt://127.0.0.1:${platformPort}`,
              allowPlaintext: true,
              inflightWindow: Number(process.env['PINGAN_BENCH_WINDOW'] ?? 1024),
            },
          ],
    devices,
    // info: the "gateway started" line carries the ports; nothing is logged per event at info.
    log: { level: 'info' },
  })
}

export function connect(port: number, auth = true): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...(auth ? PRODUCER : {}), reconnectPeriod: 0 })
}

/** QoS 1 flood: `per` messages from each of `clients`, all sent at once; acknowledged messages per second. */
export async function flood(clients: MqttClient[], per: number, topic: (i: number) => string, payload: () => string): Promise<number> {
  const t0 = nowMs()
  await Promise.all(clients.map((c, i) => Promise.all(Array.from({ length: per }, () => c.publishAsync(topic(i), payload(), { qos: 1 })))))
  return (clients.length * per * 1000) / (nowMs() - t0)
}

/** A journal at `dir` holding `n` undelivered events (one in 1,000 urgent); returns events/s written. */
export async function prefill(dir: string, n: number): Promise<number> {
  const ids = new UuidV7Generator()
  const j = await Journal.open({
    path: join(dir, 'journal.db'),
    maxRows: 3_000_000,
    maxBytes: 4 * 1024 ** 3,
    maxAgeMs: 86_400_000,
    spareBytes: 0,
    batchMaxEvents: 5000,
    uplinks: ['platform'],
    log: createLogger({ level: 'warn' }),
    now: Date.now,
  })
  const t0 = nowMs()
  for (let done = 0; done < n; done += 20_000) {
    await Promise.all(
      Array.from({ length: Math.min(20_000, n - done) }, (_, i) =>
        j.append({
          event: buildEvent(
            { site: SITE, device: `dev${(done + i) % PRODUCERS}`, kind: 'alarm', location: {} },
            { type: (done + i) % 1000 === 0 ? 'fire' : 'test', attrs: { n: done + i } },
            ids.next(),
            Date.now(),
          ),
        }),
      ),
    )
  }
  await j.close()
  return (n * 1000) / (nowMs() - t0)
}
