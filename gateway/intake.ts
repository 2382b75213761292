import type { GatewayConfig } from '../config/schema.js'
import { isIngestDevice } from '../adapters/registry.js'
import type { Logger } from '../base/log.js'
import type { Journal } from './journal/journal.js'
import { IngestGate } from './broker/ingest-gate.js'
import { LocalBroker, type BrokerUser } from './broker/broker.js'
import { passwordHashOf } from './broker/passwords.js'
import type { Emitter } from './emit.js'

export interface BrokerIntake {
  broker: LocalBroker
  gate: IngestGate
  port: number
}

async function brokerUsers(config: GatewayConfig): Promise<BrokerUser[]> {
  return Promise.all(
    config.broker.users.map(async (u) => ({
      username: u.username,
      passwordHash: await passwordHashOf(u),
      role: u.role,
      devices: u.devices,
    })),
  )
}

/**
 * The local broker with its ingest gate (ACL, retained state, third-party producers' events
 * validated and committed); the broker is started.
 */
export async function startBrokerIntake(config: GatewayConfig, journal: Journal, emitter: Emitter, now: () => number, log: Logger): Promise<BrokerIntake> {
  const brokerLog = log.child({ component: 'broker' })
  const ingestDevices = new Map(
    [...emitter.identities].filter(([id]) => {
      const d = config.devices.find((c) => c.id === id)
      return d !== undefined && isIngestDevice(d.adapter)
    }),
  )
  const gate = new IngestGate({
    devices: ingestDevices,
    maxPayloadBytes: config.broker.maxIngestPayloadBytes,
    newId: () => emitter.newId(),
    now,
    commit: (input) => {
      // A producer on walk test: its events are marked as an adapter's are.
      emitter.mark(input.event)
      return journal.append(input)
    },
    reportRejection: async (r) => {
      await emitter.gatewayEvent({ type: 'ingest.rejected', attrs: { producer: r.producer, device: r.device, reason: r.reason } })
    },
    log: brokerLog.child({ part: 'ingest' }),
  })
  const broker = new LocalBroker({
    site: config.site.id,
    host: config.broker.host,
    port: config.broker.port,
    allowAnonymous: config.broker.allowAnonymous,
    users: await brokerUsers(config),
    gate,
    log: brokerLog,
    ingestBudget: { maxInflight: config.broker.maxIngestInflight, maxInflightBytes: config.broker.maxIngestInflightBytes },
  })
  const port = await broker.start()
  return { broker, gate, port }
}
