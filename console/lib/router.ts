import { useEffect, useState } from 'preact/hooks'

/** The hash route as path parts: "#/devices/gate-1" -> ["devices", "gate-1"]. */
export function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p)
    .map(decodeURIComponent)
}

export function useRoute(): string[] {
  const [parts, setParts] = useState(parseHash(location.hash))
  useEffect(() => {
    const on = () => setParts(parseHash(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return parts
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`
}
