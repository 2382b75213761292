/**
 * Calls `fn` at most once per `ms`: at once when idle, else once at the end of the window. A busy
 * reader bus changes its device's state several times a second; a page refetches at this pace.
 */
export function throttle(fn: () => void, ms: number, timers: Pick<typeof globalThis, 'setTimeout'> = globalThis): () => void {
  let last = -Infinity
  let pending = false
  return () => {
    if (pending) return
    const wait = last + ms - Date.now()
    if (wait <= 0) {
      last = Date.now()
      fn()
      return
    }
    pending = true
    timers.setTimeout(() => {
      pending = false
      last = Date.now()
      fn()
    }, wait)
  }
}
