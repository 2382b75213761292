import type { Logger } from '../base/log.js'
import type { DeviceConfig } from '../config/devices.js'

/** A device simulator as `pingan demo` runs it: started on loopback, with the device configs that read it. */
export interface DemoSimulator {
  devices: DeviceConfig[]
  stop(): Promise<void>
}

export type DemoStarter = (opts: { log: Logger; dir: string }) => Promise<DemoSimulator>

/** The device simulators the demo starts, each loaded on demand. */
export const DEMO_SIMULATORS: Readonly<Record<string, () => Promise<DemoStarter>>> = {
  alarm: () => import('./alarm-receiver/demo.js').then((m) => m.startDemo),
  access: () => import('./access-reader/demo.js').then((m) => m.startDemo),
  parking: () => import('./parking-lock/demo.js').then((m) => m.startDemo),
  camera: () => import('./camera/demo.js').then((m) => m.startDemo),
}
