import type { z } from 'zod'
import type { ConfigProblem } from '../base/errors.js'
import { deprecatedKeys } from '../base/backoff.js'
import type { AdapterDefinition, DeviceConfigBase } from './types.js'
import type { DeviceIssue } from './device-base.js'
import { readStoredSnapshot } from './onvif/snapshot-store.js'
import { MqttIngestDeviceSchema } from './mqtt-ingest/config.js'
import { OnvifDeviceSchema, onvifConfigWarnings } from './onvif/config.js'
import { ModbusDeviceSchema } from './modbus/config.js'
import { modbusDeviceIssues } from './modbus/device-rules.js'
import { OsdpDeviceSchema } from './osdp/config.js'
import { ContactIdDeviceSchema } from './contact-id/config.js'

/**
 * Every adapter's config fragment (`adapters/<name>/config.ts`, light: zod only), in one tuple for
 * the discriminated union in config/devices.ts.
 */
export const DEVICE_SCHEMAS = [MqttIngestDeviceSchema, OnvifDeviceSchema, ModbusDeviceSchema, OsdpDeviceSchema, ContactIdDeviceSchema] as const

/** What an adapter offers the gateway, declared so the core asks for a capability, not for an adapter by name. */
export interface AdapterOffers {
  /**
   * 'in-process': its adapter carries out commands; 'producer': a third-party producer gets them on
   * the local broker and answers itself.
   */
  commands: 'in-process' | 'producer'
  /** Its adapters consume other devices' committed events (`onLinkedAlarm`). */
  linkage: boolean
  /** It stores snapshots the API serves by id ("<device>/<file>"). */
  snapshots: boolean
  /** 'adapter': read by an in-process adapter; 'broker': published by a producer on `.../ingest/{id}`. */
  intake: 'adapter' | 'broker'
  /**
   * 'link': each device's adapter supervises its own link; 'events': the definition's `supervise()`
   * watches its devices' committed events against their `supervisionMs`.
   */
  supervision: 'link' | 'events'
}

type SnapshotDevices = ReadonlyArray<{ id: string; adapter: string; snapshot?: { dir: string } }>

/**
 * Every adapter, by the `adapter:` value of a device's config. Protocol adapters are loaded on
 * demand (`load()`), so a gateway without cameras never imports the SOAP stack; what an entry
 * offers and its snapshot reader are known without loading it.
 */
export interface AdapterEntry {
  offers: AdapterOffers
  /** Its device config fragment: the same schema its definition carries. */
  configSchema: z.ZodType<DeviceConfigBase>
  load(): Promise<AdapterDefinition<DeviceConfigBase>>
  /** Reads a stored snapshot by id; only for entries that offer snapshots. Light: no protocol stack. */
  readSnapshot?(devices: SnapshotDevices, id: string): Promise<Buffer | undefined>
  /** What `check` warns about in a valid device config (at: its path in the file). */
  configWarnings?(device: DeviceConfigBase, at: string): ConfigProblem[]
  /**
   * Rules across a device's fields that its schema does not see, run on the raw entry (read loosely,
   * even when other fields are invalid) so `check` reports every problem at once.
   */
  deviceIssues?(device: Record<string, unknown>): DeviceIssue[]
}

const IN_PROCESS: AdapterOffers = { commands: 'in-process', linkage: false, snapshots: false, intake: 'adapter', supervision: 'link' }

function entry<C extends DeviceConfigBase>(
  offers: AdapterOffers,
  configSchema: z.ZodType<C>,
  load: () => Promise<AdapterDefinition<C>>,
  extra: {
    readSnapshot?: AdapterEntry['readSnapshot']
    configWarnings?: (device: C, at: string) => ConfigProblem[]
    deviceIssues?: AdapterEntry['deviceIssues']
  } = {},
): AdapterEntry {
  // Sound because a device's config was parsed by the union in config/devices.ts, which holds this
  // definition's own schema: the gateway only hands a definition the configs its `adapter:` selects.
  return {
    offers,
    configSchema,
    load: load as unknown as () => Promise<AdapterDefinition<DeviceConfigBase>>,
    ...(extra.readSnapshot ? { readSnapshot: extra.readSnapshot } : {}),
    ...(extra.configWarnings ? { configWarnings: extra.configWarnings as unknown as NonNullable<AdapterEntry['configWarnings']> } : {}),
    ...(extra.deviceIssues ? { deviceIssues: extra.deviceIssues } : {}),
  }
}

export const ADAPTERS: Readonly<Record<string, AdapterEntry>> = {
  'mqtt-ingest': entry({ commands: 'producer', linkage: false, snapshots: false, intake: 'broker', supervision: 'events' }, MqttIngestDeviceSchema, () =>
    import('./mqtt-ingest/index.js').then((m) => m.definition),
  ),
  onvif: entry({ ...IN_PROCESS, linkage: true, snapshots: true }, OnvifDeviceSchema, () => import('./onvif/index.js').then((m) => m.definition), {
    readSnapshot: readStoredSnapshot,
    configWarnings: onvifConfigWarnings,
  }),
  modbus: entry(IN_PROCESS, ModbusDeviceSchema, () => import('./modbus/index.js').then((m) => m.definition), { deviceIssues: modbusDeviceIssues }),
  osdp: entry(IN_PROCESS, OsdpDeviceSchema, () => import('./osdp/index.js').then((m) => m.definition)),
  'contact-id': entry(IN_PROCESS, ContactIdDeviceSchema, () => import('./contact-id/index.js').then((m) => m.definition)),
}

/** The entry of a device's `adapter:`; config validated the union, so a miss is a programming error. */
export function adapterEntry(adapter: string): AdapterEntry {
  const e = ADAPTERS[adapter]
  if (!e) throw new Error(`no adapter "${adapter}"`)
  return e
}

/** A stored snapshot by id, asked of every adapter that offers snapshots; undefined when none has it. */
export async function readSnapshot(devices: SnapshotDevices, id: string): Promise<Buffer | undefined> {
  for (const e of Object.values(ADAPTERS)) {
    const jpeg = await e.readSnapshot?.(devices, id)
    if (jpeg) return jpeg
  }
  return undefined
}

/** Whether a device is a third-party producer that publishes on the broker's ingest topics. */
export function isIngestDevice(adapter: string): boolean {
  return adapterEntry(adapter).offers.intake === 'broker'
}

/**
 * What `check` warns about in the devices of a valid config: old spellings of settings (still
 * read), then what each device's adapter says.
 */
export function configWarnings(devices: readonly DeviceConfigBase[]): ConfigProblem[] {
  return devices.flatMap((d, i) => {
    const at = `devices.${i}`
    const old = deprecatedKeys(d, at).map((k) => ({ path: k.path, message: `${k.key} is an old spelling, still read`, fix: `write ${k.use} instead` }))
    return [...old, ...(adapterEntry(d.adapter).configWarnings?.(d, at) ?? [])]
  })
}
