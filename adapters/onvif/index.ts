import type { Adapter, AdapterDefinition } from '../types.js'
import { newLinkStats } from '../transport/link-stats.js'
import { OnvifDeviceSchema, type OnvifDeviceConfig } from './config.js'
import type { LinkableAdapter } from './linkage.js'
import type { OnvifCameraAdapter } from './adapter.js'

/** ONVIF cameras. The SOAP client and XML parser are loaded when the first camera starts. */
export const definition: AdapterDefinition<OnvifDeviceConfig> = {
  adapter: 'onvif',
  configSchema: OnvifDeviceSchema,
  create(config, ctx): LinkableAdapter & Required<Pick<Adapter, 'stats' | 'health'>> {
    let camera: OnvifCameraAdapter | undefined
    let stopped = false
    return {
      async start() {
        const { OnvifCameraAdapter } = await import('./adapter.js')
        // The gateway may stop before the module has loaded: then there is nothing to start.
        if (stopped) return
        camera = new OnvifCameraAdapter(config, ctx)
        await camera.start()
      },
      async stop() {
        stopped = true
        await camera?.stop()
      },
      async onLinkedAlarm(event) {
        await camera?.onLinkedAlarm(event)
      },
      /** Counters for the status API: events, dropped notifications, pull errors, resubscribes, snapshots... */
      stats() {
        return { ...(camera?.counters ?? {}) }
      },
      health() {
        return camera ? camera.health() : { online: false, link: newLinkStats(), info: {} }
      },
      async command(cmd) {
        return camera ? camera.command(cmd) : { status: 'offline', reason: 'camera adapter not started' }
      },
    }
  },
}
