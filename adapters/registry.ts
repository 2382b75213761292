import type { AdapterDefinition, DeviceConfigBase } from './types.js'
import { MqttIngestDeviceSchema, type MqttIngestDeviceConfig } from './mqtt-ingest/config.js'

const mqttIngest: AdapterDefinition<MqttIngestDeviceConfig> = {
  adapter: 'mqtt-ingest',
  configSchema: MqttIngestDeviceSchema,
  create: null,
}

/**
 * Every adapter, by the `adapter:` value of a device's config. Protocol adapters are loaded on
 * demand (`load()`), so a gateway without cameras never imports the SOAP stack.
 */
export interface AdapterEntry {
  load(): Promise<AdapterDefinition<DeviceConfigBase>>
}

function entry<C extends DeviceConfigBase>(load: () => Promise<AdapterDefinition<C>>): AdapterEntry {
  // Sound because a device's config was parsed by the union in config/devices.ts, which holds this
  // definition's own schema: the gateway only hands a definition the configs its `adapter:` selects.
  return { load: load as unknown as () => Promise<AdapterDefinition<DeviceConfigBase>> }
}

export const ADAPTERS: Readonly<Record<string, AdapterEntry>> = {
  'mqtt-ingest': entry(async () => mqttIngest),
  onvif: entry(() => import('./onvif/index.js').then((m) => m.definition)),
  modbus: entry(() => import('./modbus/index.js').then((m) => m.definition)),
  osdp: entry(() => import('./osdp/index.js').then((m) => m.definition)),
  'contact-id': entry(() => import('./contact-id/index.js').then((m) => m.definition)),
}
