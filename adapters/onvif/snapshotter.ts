import { CodecError, TransportError, errorMessage } from '../../base/errors.js'
import type { OnvifClient } from './client.js'
import type { SnapshotConfig } from './config.js'
import type { SnapshotStore, StoredSnapshot } from './snapshot-store.js'

/** A failure carries its message (for the event's attrs) and the error itself (for the log, with its cause). */
export type SnapshotOutcome = { ok: true; snapshot: StoredSnapshot } | { ok: false; error: string; err: Error }

/** JPEG files start with SOI [ITU-T T.81 §B.2.1]. */
function isJpeg(b: Buffer): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8
}

/**
 * Takes one camera's snapshots: GetSnapshotUri once per profile (cached until the subscription is
 * lost, since a reboot may change it [ONVIF Media §5.16.2, InvalidAfterReboot]), the JPEG fetched
 * with HTTP Digest, stored on disk. Calls that overlap share one capture: a motion event and a
 * linked alarm at the same moment take one picture.
 */
export class Snapshotter {
  private readonly uris = new Map<string, string>()
  private token: string | undefined
  private inflight: Promise<SnapshotOutcome> | undefined

  constructor(
    private readonly client: OnvifClient,
    private readonly store: SnapshotStore,
    private readonly cfg: SnapshotConfig,
  ) {}

  /** Forget the snapshot URIs (after a reboot). */
  forget(): void {
    this.uris.clear()
    this.token = undefined
  }

  take(): Promise<SnapshotOutcome> {
    this.inflight ??= this.capture().finally(() => {
      this.inflight = undefined
    })
    return this.inflight
  }

  private async uri(): Promise<string> {
    if (this.token === undefined) {
      const profiles = await this.client.profiles()
      const wanted = this.cfg.profile
      const p = wanted === undefined ? profiles[0] : profiles.find((x) => x.token === wanted)
      if (!p) throw new TransportError(`camera ${this.client.label} has no media profile ${wanted ?? ''}`.trim())
      this.token = p.token
    }
    let uri = this.uris.get(this.token)
    if (uri === undefined) {
      uri = await this.client.snapshotUri(this.token)
      this.uris.set(this.token, uri)
    }
    return uri
  }

  private async capture(): Promise<SnapshotOutcome> {
    try {
      const jpeg = await this.client.fetchSnapshot(await this.uri(), this.cfg.maxJpegBytes, this.cfg.timeoutMs)
      if (!isJpeg(jpeg)) {
        const err = new CodecError(`camera ${this.client.label} sent a snapshot that is not a JPEG`)
        return { ok: false, error: err.message, err }
      }
      return { ok: true, snapshot: await this.store.put(jpeg) }
    } catch (err) {
      return { ok: false, error: errorMessage(err), err: err instanceof Error ? err : new Error(errorMessage(err)) }
    }
  }
}
