/** Display helpers. Pure: the language's words come in as arguments. */

/** "3 s", "5 min", "2 h", "4 d" (Chinese: "3 秒"...): the largest unit, rounded down. */
export function formatAge(sec: number, lang: 'en' | 'zh'): string {
  const units: Array<[number, string, string]> = [
    [86_400, 'd', '天'],
    [3600, 'h', '小时'],
    [60, 'min', '分钟'],
    [1, 's', '秒'],
  ]
  const s = Math.max(0, Math.floor(sec))
  for (const [size, enU, zhU] of units) {
    if (s >= size || size === 1) return `${Math.floor(s / size)} ${lang === 'zh' ? zhU : enU}`
  }
  return `${s} s`
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

/** Local wall-clock time of an ISO timestamp, with the date when it is not today. */
export function formatTime(iso: string | undefined | null, today = new Date()): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const pad = (x: number) => String(x).padStart(2, '0')
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  return d.toDateString() === today.toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

/** Seconds since an ISO timestamp, or undefined. */
export function secondsSince(iso: string | undefined | null, now: number): number | undefined {
  if (!iso) return undefined
  const t = Date.parse(iso)
  return Number.isNaN(t) ? undefined : (now - t) / 1000
}

/** "building 3 · unit 2 · Basement" from a location. */
export function formatLocation(l: { building?: string; unit?: string; area?: string } | undefined): string {
  return [l?.building, l?.unit, l?.area].filter((x) => x).join(' · ')
}
