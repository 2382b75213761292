import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Aedes } from 'aedes'

/** A bare aedes broker on loopback with TCP_NODELAY: the same-machine ceiling for the benchmarks. */
const aedes = await Aedes.createBroker()
const server = createServer((s) => {
  s.setNoDelay(true)
  aedes.handle(s)
})
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ rawBrokerPort: (server.address() as AddressInfo).port }))
})
process.on('SIGTERM', () => {
  server.close()
  aedes.close(() => process.exit(0))
})
