/**
 * One base class with stable codes. Wrap with `{ cause }`; every drop is counted somewhere visible.
 */
export type ErrorCode =
  | 'PINGAN_ERR_CONFIG'
  | 'PINGAN_ERR_CODEC'
  | 'PINGAN_ERR_TRANSPORT'
  | 'PINGAN_ERR_UPLINK'
  | 'PINGAN_ERR_JOURNAL'
  | 'PINGAN_ERR_JOURNAL_FULL'
  | 'PINGAN_ERR_ORDER'
  | 'PINGAN_ERR_UNSTORABLE'
  | 'PINGAN_ERR_COMMAND'
  | 'PINGAN_ERR_WALKTEST'

export class PinganError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** One problem in a configuration file, with the path to it and what to do. */
export interface ConfigProblem {
  path: string
  message: string
  fix?: string
}

/** Fatal at start: the gateway prints every problem and exits non-zero. */
export class ConfigError extends PinganError {
  constructor(
    readonly problems: ConfigProblem[],
    readonly source: string,
  ) {
    super('PINGAN_ERR_CONFIG', `${source}: ${problems.length} problem(s) in the configuration`)
  }
}

/** Bad bytes from a device: counted, dropped, warned about with the device id; never fatal. */
export class CodecError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_CODEC', message, options)
  }
}

/** A port or socket failed; the transport reconnects with jittered backoff. */
export class TransportError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_TRANSPORT', message, options)
  }
}

/** The platform did not take an event; it stays in the outbox. */
export class UplinkError extends PinganError {
  constructor(
    message: string,
    /** true when the broker answered and refused (a reason code), false when the link failed. */
    readonly refused: boolean,
    options?: { cause?: unknown },
  ) {
    super('PINGAN_ERR_UPLINK', message, options)
  }
}

export class JournalError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_JOURNAL', message, options)
  }
}

/**
 * One event the journal can never store (it cannot be serialized, or SQLite refuses its row): the
 * journal refused it alone and committed the rest of its batch. Sending it again fails the same way,
 * so it is a refusal of that event, not a failure of the journal.
 */
export class UnstorableEventError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_UNSTORABLE', message, options)
  }
}

/**
 * An event refused to keep its device's order: an earlier event of the same device was refused
 * (its commit failed) and has not been sent again yet. Retryable, like JournalError: the producer
 * resends both, the earlier one first.
 */
export class EventOrderError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_ORDER', message, options)
  }
}

/** The journal could not make room (disk or database full, spare already used). */
export class JournalFullError extends PinganError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PINGAN_ERR_JOURNAL_FULL', message, options)
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
