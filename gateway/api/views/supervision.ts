import type { DeviceConfig } from '../../../config/devices.js'
import type { AdapterHealth } from '../../../adapters/types.js'
import { DEFAULT_SUPERVISION_MS as CONTACT_ID_DEFAULT_MS } from '../../../adapters/contact-id/config.js'
import { DEFAULT_SUPERVISION_MS as ONVIF_DEFAULT_MS } from '../../../adapters/onvif/config.js'

export interface SupervisionView {
  /** Silence longer than this means the device is lost. */
  windowMs: number
  /** The longest a loss goes unnoticed: the window plus how the adapter gets to notice it. */
  lossDetectedAfterSec: number
}

/** The mqtt-ingest supervisor checks every quarter of the shortest window, at least every 250 ms. */
function ingestCheckMs(windowMs: number): number {
  return Math.max(250, windowMs / 4)
}

/**
 * How each adapter supervises its link, from its config: the window (or the adapter's own, from
 * health(), where it adjusts it) and the worst-case time until a loss is reported. Null for a
 * device nobody supervises (an mqtt-ingest device without supervisionMs).
 */
export function supervisionOf(d: DeviceConfig, health?: AdapterHealth): SupervisionView | null {
  const view = (windowMs: number, detectMs: number): SupervisionView => ({ windowMs, lossDetectedAfterSec: Math.ceil(detectMs / 1000) })
  switch (d.adapter) {
    case 'contact-id': {
      // A timer from the receiver's last message (heartbeat or event) fires after the window.
      const w = health?.supervision?.windowMs ?? d.supervisionMs ?? CONTACT_ID_DEFAULT_MS
      return view(w, w)
    }
    case 'osdp': {
      // Each poll's reply window closes; the one closing past offlineAfterMs takes the reader offline.
      const w = d.offlineAfterMs
      return view(w, w + d.pollIntervalMs + d.replyTimeoutMs)
    }
    case 'modbus': {
      // offlineAfterMisses polls in a row go unanswered, each after every retry timed out.
      const w = d.pollIntervalMs * d.offlineAfterMisses
      return view(w, d.offlineAfterMisses * (d.pollIntervalMs + d.responseTimeoutMs * (d.retries + 1)))
    }
    case 'onvif': {
      // The window is never shorter than one long poll; the adapter checks it every window/10 (100-500 ms).
      const w = health?.supervision?.windowMs ?? Math.max(d.supervisionMs ?? ONVIF_DEFAULT_MS, d.pullTimeoutMs + d.requestTimeoutMs + 1000)
      return view(w, w + Math.max(100, Math.min(500, w / 10)))
    }
    case 'mqtt-ingest': {
      if (d.supervisionMs === undefined) return null
      return view(d.supervisionMs, d.supervisionMs + ingestCheckMs(d.supervisionMs))
    }
  }
}
