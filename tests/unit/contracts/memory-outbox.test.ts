import { MemoryOutbox } from '../../../cloud-bridge/memory-outbox.js'
import { outboxContract } from './outbox-contract.js'

let next = 0

outboxContract('memory outbox', async (uplinks, now) => {
  const outbox = new MemoryOutbox(uplinks, now)
  return {
    outbox,
    async commit(events) {
      return outbox
        .commit(
          events.map((e) => {
            const id = `ev-${++next}`
            return { id, device: e.device, kind: 'alarm', priority: e.priority ?? 5, body: JSON.stringify({ id, device: e.device }) }
          }),
        )
        .map((r) => r.id)
    },
    async restart() {},
    async close() {},
  }
})
