import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { ApiApp, ApiDeps } from '../types.js'

/** `dist/console/` seen from this file, run from source (gateway/api/routes) or built (dist/gateway/api/routes). */
const CANDIDATES = ['../../../dist/console/', '../../../console/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)))

function consoleDir(deps: ApiDeps): string | undefined {
  const dirs = deps.consoleDir !== undefined ? [deps.consoleDir] : CANDIDATES
  return dirs.find((d) => existsSync(`${d}/index.html`))
}

/**
 * The console's built files at `/`, open to all (the app shows its login page). Without a build
 * `/` says how to make one.
 */
export async function consoleRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const root = consoleDir(deps)
  if (root === undefined) {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.code(404).send({ error: 'not built', message: 'the console is not built: run `npm run build` (it writes dist/console/)' }),
    )
    return
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    // The build writes .br and .gz beside each file: a phone on the site's Wi-Fi loads about 17 KB.
    preCompressed: true,
    // Scripts and styles are named by their content hash: cached for good. index.html names them,
    // so it is checked every time.
    setHeaders: (reply, path) =>
      reply.header('cache-control', /-[A-Z0-9]{8}\.(js|css)(\.br|\.gz)?$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  })
}
