import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where Debian and Fedora put libfaketime (`apt-get install faketime`). */
const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib64/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
]

/**
 * The wall clock of a process under libfaketime, moved while it runs: the offset is re-read from a
 * file on every call (`FAKETIME_NO_CACHE`). Only CLOCK_REALTIME moves, as when NTP steps the clock
 * or a box without an RTC battery boots a day wrong; the monotonic clock (timers) goes on.
 */
export class FakeClock {
  readonly file: string

  constructor(dir: string) {
    this.file = join(dir, 'faketime-offset')
    this.set('+0')
  }

  /** Offsets in libfaketime's relative form: `+1h`, `-1d`, `+0`. */
  set(offset: string): void {
    writeFileSync(this.file, `${offset}\n`)
  }

  env(): NodeJS.ProcessEnv {
    const lib = CANDIDATES.find((p) => existsSync(p))
    if (!lib) throw new Error('libfaketime not found: install it (apt-get install faketime)')
    return { LD_PRELOAD: lib, FAKETIME_TIMESTAMP_FILE: this.file, FAKETIME_NO_CACHE: '1', DONT_FAKE_MONOTONIC: '1' }
  }
}
