import path from 'node:path'
import type { DeviceConfig } from '../../config/devices.js'
import type { Logger } from '../../base/log.js'
import { OsdpDeviceSchema } from '../../adapters/osdp/config.js'
import { seededRandom } from '../parking-lock/rng.js'
import { AccessBusModel } from './model.js'
import { serveTcp } from './wire.js'

/** Residents' cards the demo's gate knows (facility 123, H10301). */
const RESIDENTS = [
  { card: 4567, user: 'resident-0301' },
  { card: 4568, user: 'resident-0302' },
  { card: 5120, user: 'resident-1104' },
]
const STRANGER = 9999
const TICK_MS = 500

/**
 * The demo's doors: the compound's main gate (reader 0, local allow-list, so it keeps working
 * while the platform is away) and block A's door (reader 1, secure channel, platform decides).
 * Seeded traffic: residents badge in and walk through, a stranger is refused, block A sees
 * credentials, and now and then someone forces the gate or leaves it open.
 */
export async function startDemo(opts: { log: Logger; dir: string }): Promise<{ devices: DeviceConfig[]; stop(): Promise<void> }> {
  const model = new AccessBusModel({
    seed: 2026,
    readers: [
      { address: 0, contactInput: 0, strikeOutput: 0 },
      { address: 1, requireSecure: true, contactInput: 0, strikeOutput: 0 },
    ],
  })
  const wire = await serveTcp({ model, log: opts.log.child({ component: 'sim', sim: 'access' }) })
  const random = seededRandom(7)
  let pending: Array<{ at: number; run(): void }> = []
  const later = (ms: number, run: () => void): void => {
    pending.push({ at: Date.now() + ms, run })
  }
  let nextVisit = Date.now() + 3000
  const tick = setInterval(() => {
    const now = Date.now()
    const due = pending.filter((p) => p.at <= now)
    pending = pending.filter((p) => p.at > now)
    for (const p of due) p.run()
    if (now < nextVisit) return
    nextVisit = now + 8000 + random() * 12_000
    const roll = random()
    if (roll < 0.55) {
      const r = RESIDENTS[Math.floor(random() * RESIDENTS.length)]!
      model.swipe(0, 'H10301', 123, r.card)
      // Walk through if the strike released; stay 3 s in the doorway, or 40 s now and then (held).
      const stay = random() < 0.15 ? 40_000 : 3000
      later(1500, () => {
        if (!model.strikeOn(0, Date.now())) return
        model.setDoor(0, true)
        later(stay, () => model.setDoor(0, false))
      })
    } else if (roll < 0.7) model.swipe(0, 'H10301', 123, STRANGER)
    else if (roll < 0.92) model.swipe(1, 'C1000-35', 2345, 600_000 + Math.floor(random() * 1000))
    else {
      model.setDoor(0, true)
      later(5000, () => model.setDoor(0, false))
    }
  }, TICK_MS)
  tick.unref()
  const device = OsdpDeviceSchema.parse({
    id: 'door-bus-1',
    name: 'Gate and block A doors',
    adapter: 'osdp',
    location: { building: 'A', area: 'main-gate' },
    transport: { url: `tcp://127.0.0.1:${wire.port}`, backoff: { initialMs: 500, maxMs: 10_000 } },
    keyStorePath: path.join(opts.dir, 'osdp-keys.json'),
    allowList: RESIDENTS.map((r) => ({ card: String(r.card), facility: 123, user: r.user })),
    readers: [
      { address: 0, door: 'main-gate', name: 'Main gate', contactInput: 0, strikeOutput: 0, strikePulseMs: 3000, heldOpenMs: 30_000 },
      { address: 1, door: 'block-a', name: 'Block A entrance', secureChannel: true, localDecisions: false, contactInput: 0, strikeOutput: 0 },
    ],
  })
  return {
    devices: [device],
    async stop() {
      clearInterval(tick)
      await wire.close()
    },
  }
}
