import type { AdapterDefinition } from '../types.js'
import { ContactIdAdapter } from './adapter.js'
import { ContactIdDeviceSchema, type ContactIdDeviceConfig } from './config.js'

/** Alarm receivers and panels speaking Ademco Contact ID over a serial line or a device server. */
export const definition: AdapterDefinition<ContactIdDeviceConfig> = {
  adapter: 'contact-id',
  configSchema: ContactIdDeviceSchema,
  create: (config, ctx) => new ContactIdAdapter(config, ctx),
}
