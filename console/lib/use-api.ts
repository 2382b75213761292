import { useCallback, useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'

export interface Loaded<T> {
  data: T | undefined
  error: string | undefined
  reload(): void
}

/** GETs a path when the component mounts (and when `path` changes); `reload()` fetches again. */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!path) return
    let live = true
    api<T>(path).then(
      (d) => {
        if (!live) return
        setData(d)
        setError(undefined)
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    )
    return () => {
      live = false
    }
  }, [path, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data, error, reload }
}
