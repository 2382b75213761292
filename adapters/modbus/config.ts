import { z } from 'zod'
import { DeviceBaseShape } from '../device-base.js'
import { isKnownType } from '../../base/events/types.js'
import { isTcpTransport, TransportSchema } from '../transport/config.js'
import { ProfileSchema, type Profile } from './profile.js'
import { BUILTIN_PROFILES, BUILTIN_PROFILE_NAMES } from './profiles.js'

/**
 * One Modbus unit (a lock, a sensor) is one device: its own id in events, its own location,
 * state and command topic. Units on one RS-485 bus name the same `transport` (path or url); the
 * gateway opens the bus once and polls them in turn. Write the bus settings once with a YAML
 * anchor (`transport: &bus1 {...}` then `transport: *bus1`).
 */
export const ModbusDeviceSchema = z
  .strictObject({
    ...DeviceBaseShape,
    adapter: z.literal('modbus'),
    /** `/dev/ttyUSB0` (9600 8N1 unless set), `{ path, baudRate, parity, stopBits }`, or `tcp://host:port` (RTU over TCP). */
    transport: TransportSchema,
    /**
     * `rtu` on a serial line or through a transparent device server (RTU over TCP); `mbap` for
     * Modbus TCP (a Modbus TCP gateway or device, usually port 502).
     */
    framing: z.enum(['rtu', 'mbap']).default('rtu'),
    /**
     * On a serial line: give up on a partial frame after this much silence (the 3.5-character
     * gap of the spec, used as a hint). Unset by default: USB adapters deliver bytes in bursts
     * up to their latency timer (16 ms on FTDI), and a timed-out reply resyncs the framer anyway.
     */
    frameSilenceMs: z.number().int().min(2).max(1000).optional(),
    /** The unit (slave) address set on the device, 1-247. */
    unit: z.number().int().min(1).max(247),
    /** A built-in register map by name, or a vendor's map written out (see SPEC.md). */
    profile: z.union([z.enum(BUILTIN_PROFILE_NAMES), ProfileSchema]),
    pollIntervalMs: z.number().int().min(20).max(3_600_000).default(1000),
    /** How long to wait for a reply; at 9600 baud a 125-register reply alone takes 270 ms. */
    responseTimeoutMs: z.number().int().min(10).max(10_000).default(300),
    /** Resends of a request that got no (valid) reply, before the poll counts as missed. */
    retries: z.number().int().min(0).max(5).default(1),
    /** Missed polls in a row before device.offline. */
    offlineAfterMisses: z.number().int().min(1).max(100).default(3),
    /** While offline the unit is tried this often, once, so it costs the bus little. */
    offlinePollIntervalMs: z.number().int().min(100).max(3_600_000).default(5000),
    /** While a command waits for its target position, the unit is polled this often. */
    commandPollIntervalMs: z.number().int().min(20).max(10_000).default(200),
  })
  .superRefine((d, ctx) => {
    if (d.framing === 'mbap' && !isTcpTransport(d.transport)) {
      ctx.addIssue({ code: 'custom', path: ['framing'], message: 'Modbus TCP (mbap) needs a tcp://host:port transport' })
    }
    // Event types come from the device kind's closed list: report a typo at its path in the file.
    if (typeof d.profile === 'string') return
    for (const [name, p] of Object.entries(d.profile.points)) {
      for (const [value, s] of Object.entries(p.states ?? {})) {
        for (const key of ['event', 'restoreEvent'] as const) {
          const t = s[key]
          if (t !== undefined && !isKnownType(d.kind, t))
            ctx.addIssue({
              code: 'custom',
              path: ['profile', 'points', name, 'states', value, key],
              message: `"${t}" is not an event type of kind "${d.kind}"`,
            })
        }
      }
      if (p.low) {
        for (const key of ['event', 'restoreEvent'] as const) {
          const t = p.low[key]
          if (!isKnownType(d.kind, t))
            ctx.addIssue({ code: 'custom', path: ['profile', 'points', name, 'low', key], message: `"${t}" is not an event type of kind "${d.kind}"` })
        }
      }
    }
  })
export type ModbusDeviceConfig = z.infer<typeof ModbusDeviceSchema>

/** The profile's name for messages: the built-in's name, or the device's own map's description. */
export function profileName(d: Pick<ModbusDeviceConfig, 'id' | 'profile'>): string {
  return typeof d.profile === 'string' ? d.profile : (d.profile.description ?? `${d.id}'s own profile`)
}

/** The register map a device uses: its built-in profile or its own. */
export function profileOf(d: Pick<ModbusDeviceConfig, 'profile'>): Profile {
  return typeof d.profile === 'string' ? BUILTIN_PROFILES[d.profile] : d.profile
}
