import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Starts a worker thread on one of our modules. Built, `entry` is a `.js` file under `dist/` and
 * runs as is. From the TypeScript sources (the tests, `tsx`), a thread does not inherit the loader
 * that compiles them, so it registers tsx's first and then imports the entry.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options)
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(boot, { ...options, eval: true })
}
