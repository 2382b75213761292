import { parentPort, workerData } from 'node:worker_threads'
import { createLogger } from '../../../base/log.js'
import { UplinkError, errorMessage } from '../../../base/errors.js'
import type { OutboxRow } from '../../outbox.js'
import { MqttUplink } from '../mqtt.js'
import type { FromUplinkThread, ToUplinkThread, UplinkThreadInit } from './messages.js'

/**
 * An MQTT uplink in its own thread (`threaded-uplink.ts` starts it): the MQTT client's packets,
 * socket writes and acknowledgements run on the second core, beside the gateway's intake.
 * Acknowledgements are gathered for one turn of the event loop and posted together.
 */
const port = parentPort
if (!port) throw new Error('the uplink thread runs as a worker thread')
const init = workerData as UplinkThreadInit
let acked: number[] = []
const flushAcked = () => {
  if (acked.length === 0) return
  port.postMessage({ t: 'acked', tags: acked } satisfies FromUplinkThread)
  acked = []
}
/** Anything else goes after the acknowledgements gathered so far: the gateway hears them in the order they happened. */
const post = (m: FromUplinkThread) => {
  flushAcked()
  port.postMessage(m)
}

const { app: _app, ...bindings } = init.bindings
const log = createLogger({ level: init.level, destination: { write: (line: string) => post({ t: 'log', line }) } }).child(bindings)
const uplink = new MqttUplink(init.cfg, init.site, log, { tls: init.tls, onState: (state) => post({ t: 'state', state }) })
uplink.on('up', () => post({ t: 'up' }))
uplink.on('down', (reason, suspect) => post(suspect ? { t: 'down', reason, suspect } : { t: 'down', reason }))
uplink.on('command', (device, payload) => post({ t: 'command', device, payload }))

function send(row: OutboxRow, tag: number): void {
  uplink.send(row).then(
    () => {
      if (acked.length === 0) setImmediate(flushAcked)
      acked.push(tag)
    },
    (err: unknown) => post({ t: 'failed', tag, message: errorMessage(err), refused: err instanceof UplinkError && err.refused }),
  )
}

port.on('message', (m: ToUplinkThread) => {
  switch (m.t) {
    case 'start':
      return uplink.start()
    case 'send':
      for (let i = 0; i < m.rows.length; i++) send(m.rows[i]!, m.tags[i]!)
      return
    case 'status':
      return uplink.publishStatus(m.status)
    case 'result':
      return uplink.publishCommandResult(m.device, Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength))
    case 'stop':
      void uplink.stop().then(
        () => {
          post({ t: 'stopped' })
          port.close()
        },
        (err: unknown) => {
          log.error({ err }, 'uplink did not stop cleanly')
          post({ t: 'stopped' })
          port.close()
        },
      )
  }
})
