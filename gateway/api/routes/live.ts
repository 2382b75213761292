import { type LiveHub, MAX_LIVE_CLIENTS } from '../live/hub.js'
import type { ApiApp } from '../types.js'

/**
 * GET /events/live: Server-Sent Events. `event: event` (a committed event, without raw),
 * `event: state` (a device's state), `event: walktest` (walk-test progress), and `event: overflow`
 * with `{ missed }` before the server closes a stream its client did not keep up with.
 */
export function liveRoutes(app: ApiApp, hub: LiveHub): void {
  app.get('/api/v1/events/live', { schema: { description: 'Server-Sent Events: event, state, walktest, overflow' } }, (req, reply) => {
    if (hub.size >= MAX_LIVE_CLIENTS) {
      return reply
        .code(503)
        .send({ error: 'busy', message: `${MAX_LIVE_CLIENTS} live streams are open already: close one (another tab of the console?) and reload` })
    }
    reply.hijack()
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The stream is the connection's last response: when it ends (an overflow, a stop) the socket
      // closes too, rather than idling as keep-alive.
      connection: 'close',
      // Proxies (nginx) must pass each frame on at once.
      'x-accel-buffering': 'no',
    })
    reply.raw.write('retry: 3000\n\n')
    hub.attach(reply.raw)
    req.log.debug({ user: req.principal?.name, clients: hub.size }, 'live stream opened')
  })
}
