import { z } from 'zod'
import { DeviceBaseShape } from '../device-base.js'
import type { ConfigProblem } from '../../base/errors.js'
import { IdSchema } from '../../base/events/event.js'
import { adoptOldBackoff, backoffShape, type BackoffLimits } from '../../base/backoff.js'

const MIB = 1024 * 1024

/** Where JPEGs go and how much of them the gateway keeps (per camera). */
export const SnapshotConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Directory of the stored JPEGs (relative: to the config file); each camera writes to its own sub-directory. Put it beside the journal. */
  dir: z.string().min(1).default('./data/snapshots'),
  /** Media profile token to take snapshots from; the first profile when absent. */
  profile: z.string().max(64).optional(),
  /** The camera's own events that take a snapshot. */
  onTypes: z.array(z.string()).default(['motion', 'video.tamper', 'input', 'line.crossed', 'field.intrusion']),
  /** Per camera: size it as the disk set aside for snapshots divided by the number of cameras. */
  maxBytes: z
    .number()
    .int()
    .min(MIB)
    .default(32 * MIB),
  maxAgeMs: z
    .number()
    .int()
    .min(60_000)
    .default(7 * 86_400_000),
  maxJpegBytes: z
    .number()
    .int()
    .min(16 * 1024)
    .max(32 * MIB)
    .default(4 * MIB),
  timeoutMs: z.number().int().min(200).max(30_000).default(3000),
})
export type SnapshotConfig = z.infer<typeof SnapshotConfigSchema>

/** An alarm elsewhere that should make this camera take a snapshot. */
export const LinkSchema = z.strictObject({
  /** The device whose alarm triggers the snapshot (a panel, a door reader). */
  device: IdSchema,
  /** Only alarms in these zones; every zone when absent. */
  zones: z.array(z.string().max(64)).optional(),
  /** Only these event types; every priority 1-2 (life safety, security) event when absent. */
  types: z.array(z.string().max(64)).optional(),
})

const SNAPSHOT_DEFAULTS = SnapshotConfigSchema.parse({})

/**
 * An ONVIF camera. `address` is the camera's host (and port) or its device service URL.
 * Credentials are the camera's ONVIF user; put the password in the environment ("${CAM_PASSWORD}").
 */
const OLD_KEYS = { initialMs: 'backoffMinMs', maxMs: 'backoffMaxMs' } as const
const RETRY: BackoffLimits = { defaults: { initialMs: 500, maxMs: 30_000 }, initialMs: { min: 50, max: 60_000 }, maxMs: { min: 100, max: 600_000 } }

export const OnvifDeviceSchema = z
  .strictObject({
    ...DeviceBaseShape,
    adapter: z.literal('onvif'),
    kind: z.literal('camera').default('camera'),
    address: z.string().min(1).max(512),
    username: z.string().max(128).optional(),
    password: z.string().max(256).optional(),
    /** Send Basic credentials for snapshots: only for old cameras that refuse Digest; it exposes the password. */
    basicAuth: z.boolean().default(false),
    /** How long one PullMessages may wait at the camera for events. */
    pullTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
    messageLimit: z.number().int().min(1).max(1000).default(100),
    /** Subscription lifetime asked for at creation and on each Renew. */
    subscriptionMs: z.number().int().min(10_000).max(3_600_000).default(120_000),
    /** Renew when the subscription has less than pullTimeoutMs + this left. */
    renewMarginMs: z.number().int().min(1000).max(600_000).default(15_000),
    requestTimeoutMs: z.number().int().min(500).max(60_000).default(5000),
    /** Period of the unauthenticated GetSystemDateAndTime that checks the camera is alive. */
    pingIntervalMs: z.number().int().min(200).max(600_000).default(10_000),
    /** Motion must stay off this long before `motion.end`; new motion in between extends the event. */
    motionHoldMs: z.number().int().min(0).max(600_000).default(5000),
    /** Retries of the PullPoint session after a failure (`base/backoff.ts`); `backoffMinMs/MaxMs` are the old spelling. */
    ...backoffShape(RETRY, OLD_KEYS),
    snapshot: SnapshotConfigSchema.default(SNAPSHOT_DEFAULTS),
    /** Devices and zones whose alarms make this camera take a snapshot. */
    linkage: z.array(LinkSchema).default([]),
  })
  .transform((v) => adoptOldBackoff(v, OLD_KEYS, RETRY.defaults))
export type OnvifDeviceConfig = z.infer<typeof OnvifDeviceSchema>
export type OnvifDeviceInput = z.input<typeof OnvifDeviceSchema>

/** Default supervision window of a camera when the device sets none. */
export const DEFAULT_SUPERVISION_MS = 30_000

/** The device service URL from `address` [ONVIF Core §5.1.1: /onvif/device_service]. */
export function deviceServiceUrl(address: string): string {
  if (/^https?:\/\//i.test(address)) return address
  return `http://${address}/onvif/device_service`
}

/**
 * Settings that validate but will not work as meant; `pingan check` prints them as warnings.
 * `at` is the device's path in the file, e.g. `devices.3`.
 */
export function onvifConfigWarnings(d: OnvifDeviceConfig, at: string): ConfigProblem[] {
  const out: ConfigProblem[] = []
  if (/^https?:\/\//i.test(d.address)) {
    let path = '/'
    try {
      path = new URL(d.address).pathname
    } catch {
      // an unparsable URL fails at run time with its own message; the path check does not apply
    }
    if (path === '/' || path === '') {
      out.push({
        path: `${at}.address`,
        message: `"${d.address}" has no path: the camera will answer 404`,
        fix: 'end it in /onvif/device_service, or give the host and port only',
      })
    }
  } else if (d.address.includes('/')) {
    out.push({
      path: `${at}.address`,
      message: `"${d.address}" has a path but no http://`,
      fix: 'write the whole URL (http://host/onvif/device_service), or the host and port only',
    })
  }
  if (d.username === undefined) {
    out.push({
      path: `${at}.username`,
      message: 'no username: cameras want credentials for events and snapshots',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own `${VAR}` syntax, shown to the user
      fix: 'set username and password (the password from the environment, e.g. "${CAM_PASSWORD}")',
    })
  }
  return out
}
