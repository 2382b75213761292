import type { GatewayConfig } from '../config/schema.js'
import type { EmitResult } from '../adapters/types.js'
import type { Logger } from '../base/log.js'
import { buildEvent, type DeviceIdentity, type EventInput, type EventMarker } from '../base/events/event.js'
import { UuidV7Generator } from '../base/events/uuidv7.js'
import type { Journal } from './journal/journal.js'

/** The id gateway events carry as their device. */
export const GATEWAY_DEVICE = 'gateway'

type IdentitySource = { id: string; kind: DeviceIdentity['kind']; location: DeviceIdentity['location'] }

function identityOf(config: GatewayConfig, d: IdentitySource): DeviceIdentity {
  const location = { ...d.location }
  if (location.grid === undefined && config.site.grid !== undefined) location.grid = config.site.grid
  return { site: config.site.id, device: d.id, kind: d.kind, location }
}

/**
 * The emit pipeline: every event (an adapter's, the gateway's own, a supervisor's) is built with
 * its device's identity and a fresh UUIDv7, then committed in the journal; the promise resolves
 * once it is durable, which is when a device may be acknowledged.
 */
export class Emitter {
  /** Every configured device's identity, by id. */
  readonly identities = new Map<string, DeviceIdentity>()
  private readonly ids: UuidV7Generator
  private readonly gatewayIdentity: DeviceIdentity

  constructor(
    config: GatewayConfig,
    private readonly journal: Journal,
    private readonly now: () => number,
    private readonly log: Logger,
    /** Marks events of devices on walk test before their commit. */
    readonly mark: EventMarker = () => {},
  ) {
    this.ids = new UuidV7Generator(now)
    for (const d of config.devices) this.identities.set(d.id, identityOf(config, d))
    this.gatewayIdentity = identityOf(config, { id: GATEWAY_DEVICE, kind: 'gateway', location: {} })
  }

  newId(): string {
    return this.ids.next()
  }

  /** Commits an event of a configured device; rejects for an unknown device. */
  emitAs(device: string, input: EventInput): Promise<EmitResult> {
    const who = this.identities.get(device)
    if (!who) return Promise.reject(new Error(`no device "${device}"`))
    return this.emitFor(who, input)
  }

  /** Commits a gateway event; rejects with what the journal threw. */
  recordGatewayEvent(input: EventInput): Promise<EmitResult> {
    return this.emitFor(this.gatewayIdentity, input)
  }

  /** Commits a gateway event; a failure is logged, never thrown (the caller is reporting something else). */
  gatewayEvent(input: EventInput): Promise<void> {
    return this.recordGatewayEvent(input).then(
      () => undefined,
      (err: unknown) => this.log.error({ err, type: input.type }, 'cannot record a gateway event'),
    )
  }

  private async emitFor(who: DeviceIdentity, input: EventInput): Promise<EmitResult> {
    const event = buildEvent(who, input, input.id ?? this.ids.next(), this.now())
    this.mark(event)
    const r = await this.journal.append({
      event,
      checkId: input.id !== undefined,
      dedupeKey: input.dedupeKey,
      dedupeWindowMs: input.dedupeWindowMs,
      dedupeScope: input.dedupeScope,
    })
    return { id: r.id, duplicate: r.duplicate }
  }
}
