import { z } from 'zod'
import { MqttIngestDeviceSchema } from '../adapters/mqtt-ingest/config.js'
import { OnvifDeviceSchema } from '../adapters/onvif/config.js'
import { OsdpDeviceSchema } from '../adapters/osdp/config.js'
import { ModbusDeviceSchema } from '../adapters/modbus/config.js'
import { ContactIdDeviceSchema } from '../adapters/contact-id/config.js'

/**
 * Every device, by its `adapter:`. Each adapter owns its fragment (`adapters/<name>/config.ts`);
 * adding an adapter adds one line here and one entry in `adapters/registry.ts`.
 */
export const DeviceSchema = z.discriminatedUnion('adapter', [MqttIngestDeviceSchema, OnvifDeviceSchema, ModbusDeviceSchema, OsdpDeviceSchema, ContactIdDeviceSchema])
export type DeviceConfig = z.infer<typeof DeviceSchema>
