import type { AdapterDefinition } from '../types.js'
import { OsdpDeviceSchema, type OsdpDeviceConfig } from './config.js'
import { OsdpAdapter } from './adapter.js'

/** OSDP door readers on an RS-485 bus, the gateway acting as control panel. */
export const definition: AdapterDefinition<OsdpDeviceConfig> = {
  adapter: 'osdp',
  configSchema: OsdpDeviceSchema,
  create: (config, ctx) => new OsdpAdapter(config, ctx),
}
