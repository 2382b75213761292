import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const SRC = import.meta.dirname
/** Where the gateway serves the console from (API-CONTRACT.md). */
export const CONSOLE_OUT = resolve(SRC, '..', 'dist', 'console')

/**
 * Bundles the console (Preact + htm, no JSX step) with esbuild into `outDir`: one script and one
 * stylesheet named by content hash, so a browser may cache them forever, and an index.html that
 * names them (served without caching). Runs at `npm run build`, never on the gateway box.
 */
export async function buildConsole(outDir = CONSOLE_OUT): Promise<string[]> {
  // Built beside, then swapped in: a gateway serving the old files never sees a half-written folder.
  const tmp = join(dirname(outDir), `.${basename(outDir)}-${process.pid}-${randomBytes(4).toString('hex')}`)
  const files = await bundle(tmp)
  swapIn(tmp, outDir)
  return files
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code

/**
 * Moves the old folder aside and the new one in. Two builds at once (two test files) race here:
 * the other may move the old folder first (ENOENT) or put its own in between (ENOTEMPTY); both
 * builds are the same files, so trying again is enough.
 */
function swapIn(tmp: string, outDir: string): void {
  const olds: string[] = []
  for (let attempt = 0; ; attempt++) {
    const old = `${tmp}-old${attempt}`
    try {
      renameSync(outDir, old)
      olds.push(old)
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw err
    }
    try {
      renameSync(tmp, outDir)
      break
    } catch (err) {
      if (!['ENOTEMPTY', 'EEXIST'].includes(codeOf(err) ?? '') || attempt >= 5) throw err
    }
  }
  for (const old of olds) rmSync(old, { recursive: true, force: true })
}

/** Whether `outDir` holds a build newer than every source file (tests build only when needed). */
export function consoleIsBuilt(outDir = CONSOLE_OUT): boolean {
  const index = join(outDir, 'index.html')
  if (!existsSync(index)) return false
  const builtAt = statSync(index).mtimeMs
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)))
  return newest(SRC) <= builtAt
}

async function bundle(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true })
  const result = await build({
    entryPoints: { app: join(SRC, 'main.ts'), styles: join(SRC, 'styles.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    entryNames: '[name]-[hash]',
    outdir: outDir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f))
  const script = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'))
  const styles = outputs.find((f) => f.startsWith('styles-') && f.endsWith('.css'))
  if (!script || !styles) throw new Error(`console build made no script or stylesheet: ${outputs.join(', ')}`)
  const page = readFileSync(join(SRC, 'index.template.html'), 'utf8').replace('%SCRIPT%', `./${script}`).replace('%STYLES%', `./${styles}`)
  writeFileSync(join(outDir, 'index.html'), page)
  const files = ['index.html', ...outputs]
  // Compressed once here, so the gateway sends them as they are (@fastify/static preCompressed).
  for (const f of files) {
    const b = readFileSync(join(outDir, f))
    writeFileSync(join(outDir, `${f}.gz`), gzipSync(b, { level: 9 }))
    writeFileSync(join(outDir, `${f}.br`), brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
  }
  return files
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildConsole(process.argv[2] ? resolve(process.argv[2]) : CONSOLE_OUT)
  console.log(`console built: ${files.join(', ')}`)
}
