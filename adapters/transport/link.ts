/**
 * One open connection to a serial device: a local port or a socket to a device server.
 * A `Transport` opens links, and opens a new one when the last vanished.
 */
export interface Link {
  write(data: Buffer): Promise<void>
  /** Closes the link; `onClose` is not called for a close we asked for. */
  close(): Promise<void>
}

export interface LinkHandlers {
  onData(chunk: Buffer): void
  /**
   * Called once when the link ends on its own (unplugged, reset, peer closed): `reason` says it in
   * words for the device's state, `cause` keeps the OS's error for the log.
   */
  onClose(reason: string, cause?: Error): void
}

/** Opens a link, or rejects with a TransportError saying why it could not. */
export type OpenLink = (handlers: LinkHandlers) => Promise<Link>
