import { z } from 'zod'
import { DeviceBaseShape } from '../device-base.js'

/**
 * A third-party producer (an intercom, a fire panel's IP module, another gateway) that publishes
 * events on `.../ingest/{id}` of the local broker. It has no in-process adapter: the broker's
 * ingest gate validates and commits what it sends.
 */
export const MqttIngestDeviceSchema = z.strictObject({
  ...DeviceBaseShape,
  adapter: z.literal('mqtt-ingest'),
})
export type MqttIngestDeviceConfig = z.infer<typeof MqttIngestDeviceSchema>
