import { parentPort } from 'node:worker_threads'
import '../../cloud-bridge/uplinks/thread/worker.js'
import type { ToUplinkThread } from '../../cloud-bridge/uplinks/thread/messages.js'

/**
 * The real uplink thread, which also throws (an uncaught exception: the thread ends) when it is
 * handed an event of the device `fail-thread`, after the real handler has taken the batch.
 */
parentPort?.on('message', (m: ToUplinkThread) => {
  if (m.t === 'send' && m.rows.some((r) => r.device === 'fail-thread')) throw new Error('the uplink thread failed on purpose')
})
