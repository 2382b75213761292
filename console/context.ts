import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { LiveStream } from './lib/live.js'
import type { Role, Session } from './types.js'

export interface AppContext {
  session: Session
  live: LiveStream
}

export const Ctx = createContext<AppContext | undefined>(undefined)

export function useApp(): AppContext {
  const c = useContext(Ctx)
  if (!c) throw new Error('useApp outside the app')
  return c
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, installer: 2 }

/** Roles are ordered viewer < operator < installer (API-CONTRACT.md). */
export function mayAct(session: Session, role: Role): boolean {
  return RANK[session.role] >= RANK[role]
}
