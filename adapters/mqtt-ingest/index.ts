import type { AdapterDefinition } from '../types.js'
import { MqttIngestDeviceSchema, type MqttIngestDeviceConfig } from './config.js'
import { IngestSupervisor } from './supervisor.js'

/**
 * Third-party producers on the local broker. No in-process adapter: the broker's ingest gate
 * validates and commits what they send, and commands reach them on the broker. What this adapter
 * owns is their supervision: a producer silent for longer than its `supervisionMs` goes offline.
 */
export const definition: AdapterDefinition<MqttIngestDeviceConfig> = {
  adapter: 'mqtt-ingest',
  configSchema: MqttIngestDeviceSchema,
  create: null,
  supervise(configs, ctx) {
    const supervisor = new IngestSupervisor(
      configs.flatMap((d) => (d.supervisionMs !== undefined ? [{ id: d.id, supervisionMs: d.supervisionMs }] : [])),
      (device, input) => ctx.emit(device, input).catch((err) => ctx.log.error({ device, err }, 'cannot record supervision event')),
      ctx.now,
      ...(ctx.timers ? [ctx.timers] : []),
    )
    return { start: () => supervisor.start(), stop: () => supervisor.stop(), committed: (ev) => supervisor.seen(ev.device, ev.type) }
  },
}
