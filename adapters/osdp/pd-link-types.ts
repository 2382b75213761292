import type { CommandPayload } from './commands.js'
import type { ReaderKeyStore } from './key-store.js'

/** Timing and identity of one PD on the bus. */
export interface PdLinkOptions {
  address: number
  /** The key store's name for this reader (device id and address). */
  keyName: string
  useCrc: boolean
  /** Talk to this reader only inside a secure channel. */
  secure: boolean
  /** A reader with no stored key may be given one through a session under `installKey`. */
  installKey: Buffer
  replyTimeoutMs: number
  offlineAfterMs: number
  reconnectIntervalMs: number
  /** The longest wait between attempts on a reader that keeps refusing. */
  refusedRetryMaxMs: number
  pollIntervalMs: number
  busyRetryMs: number
  randomBytes(n: number): Buffer
  keys: ReaderKeyStore
}

export type LinkState = 'offline' | 'starting' | 'online'

export interface CommandOutcome {
  status: 'ok' | 'refused' | 'offline'
  reason?: string
}

/** The command on the wire (or waiting to be resent), with its exact bytes. */
export interface Outstanding {
  bytes: Buffer
  sqn: number
  code: number
  step: Step | 'queued' | 'poll'
  sentAt: number
  tries: number
  /** Resend no sooner than this (after BUSY). */
  resendAt: number
}

/** The start-up sequence's steps [OSDP 2.2 §5.9; Annex D for the secure channel]. */
export type Step = 'chlng' | 'scrypt' | 'keyset' | 'id' | 'cap' | 'lstat' | 'istat' | 'ostat'

export interface Queued {
  payload: CommandPayload
  done(outcome: CommandOutcome): void
}

/** Counters for the health API. */
export interface LinkCounters {
  commands: number
  replies: number
  retries: number
  timeouts: number
  busy: number
  naks: number
  macFailures: number
  offline: number
}
