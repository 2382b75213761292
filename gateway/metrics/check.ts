import { isLoopbackHost } from '../../config/api.js'
import type { GatewayConfig } from '../../config/schema.js'
import type { ConfigProblem } from '../../base/errors.js'

/**
 * What `pingan check` says about /metrics: `info` when it is open, a warning when it is open on an
 * address other hosts reach (the metrics name every device and uplink of the site).
 */
export function metricsCheckReport(config: Pick<GatewayConfig, 'api' | 'metrics'>): { info: string[]; warnings: ConfigProblem[] } {
  if (!config.metrics.open) return { info: [], warnings: [] }
  const { host, port } = config.api
  if (isLoopbackHost(host)) return { info: [`metrics: GET /metrics is open (no credentials) on ${host}:${port}, a loopback address`], warnings: [] }
  return {
    info: [],
    warnings: [
      {
        path: 'metrics.open',
        message: `GET /metrics is served without credentials on api.host ${host}, which is not a loopback address: anyone who reaches port ${port} reads the names and state of every device and uplink`,
        fix: 'metrics.open is meant for a local interface: bind api.host to 127.0.0.1 (or an interface only the Prometheus server reaches), or set metrics.open: false and give Prometheus a bearer token from api.tokens',
      },
    ],
  }
}
