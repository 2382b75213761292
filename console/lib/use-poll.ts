import { useEffect } from 'preact/hooks'

/** Calls `fn` every `ms` while the page is shown (figures that change without events: backlog, disk). */
export function usePoll(fn: () => void, ms: number): void {
  useEffect(() => {
    const timer = setInterval(fn, ms)
    return () => clearInterval(timer)
  }, [fn, ms])
}
