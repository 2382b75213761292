import { z } from 'zod'
import { DEVICE_SCHEMAS } from '../adapters/registry.js'

/**
 * Every device, by its `adapter:`. Each adapter owns its fragment (`adapters/<name>/config.ts`) and
 * is registered once, in `adapters/registry.ts`, which lists the fragments.
 */
export const DeviceSchema = z.discriminatedUnion('adapter', [...DEVICE_SCHEMAS])
export type DeviceConfig = z.infer<typeof DeviceSchema>
