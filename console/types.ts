/**
 * The API's shapes as the console reads them (API-CONTRACT.md; the OpenAPI document at
 * /api/v1/openapi.json is the truth). Only the fields the pages show; the rest pass through.
 */
export type Role = 'viewer' | 'operator' | 'installer'

export interface Session {
  user: string
  role: Role
  expiresAt?: string
}

export interface LinkCounters {
  frames: number
  retries: number
  crcErrors: number
  timeouts: number
  droppedBytes: number
}

export interface DeviceView {
  id: string
  name?: string
  adapter: string
  kind: string
  location: { building?: string; unit?: string; area?: string; grid?: string }
  online: boolean
  reason?: string
  lastSeenAt?: string
  onTest?: boolean
  state: Record<string, unknown>
  info: Record<string, unknown>
  link?: LinkCounters & { perMinute?: LinkCounters }
  supervision?: { windowMs: number; lossDetectedAfterSec: number } | null
  stats?: Record<string, number>
}

export interface EventView {
  id: string
  seq?: number
  device: string
  kind: string
  type: string
  priority: number
  occurredAt?: string
  receivedAt: string
  zone?: string
  user?: string
  attrs?: Record<string, unknown>
  test?: boolean
  raw?: string
}

export interface UplinkView {
  id: string
  type: string
  state: string
  backlog: number
  oldestUndeliveredSec: number | null
  lastAckAt?: string | null
  deliveryRatePerMin?: number
  parked?: number
}

export interface UplinksView {
  uplinks: UplinkView[]
  journal: { rows: number; bytes: number; maxRows: number; maxBytes: number }
  disk?: { freeBytes: number }
}

export interface WalkPoint {
  key: string
  device: string
  zone?: string
  label: string
  kind: string
  tested: boolean
  testedAt?: string
  steps: string[]
  /** Steps that test the point (zone: alarm, restore; door: open, closed...). */
  expected?: string[]
}

export interface WalkTestView {
  id: string
  state: 'running' | 'complete' | 'incomplete' | 'ended'
  startedAt: string
  endsAt: string
  endedAt?: string
  installer?: string
  points: WalkPoint[]
  untested: number
  result?: 'complete' | 'incomplete'
  report?: { id: string; sha256: string }
}

export interface ReportSummary {
  id: string
  startedAt: string
  endedAt: string
  result: 'complete' | 'incomplete'
  sha256: string
}

export interface CommandResult {
  id?: string
  device?: string
  status: string
  reason?: string
  data?: Record<string, unknown>
}
