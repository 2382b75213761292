import type { FaultCause, Refusal } from './refusals.js'

/** Which reader, as an installer finds it: in config, and in the key store (`pingan keys`). */
export interface FaultPlace {
  device: string
  address: number
  door: string
}

/** A reader fault in words: what is wrong, and what to change. Pure. */
export interface FaultAdvice {
  reason: string
  fix: string
}

const ADVICE: Record<FaultCause, (p: FaultPlace) => FaultAdvice> = {
  'needs-secure-channel': (p) => ({
    reason: 'reader requires the secure channel',
    fix: `set secureChannel: true for reader ${p.address} (door ${p.door}) of device ${p.device}, with keyStorePath set for the device`,
  }),
  'no-secure-channel': (p) => ({
    reason: 'reader does not support the secure channel',
    fix: `set secureChannel: false for reader ${p.address} (door ${p.door}), or fit a reader with secure channel support`,
  }),
  sequence: () => ({
    reason: 'reader keeps rejecting our sequence numbers',
    fix: 'make sure no other control panel polls this address on the bus, and no two readers share it',
  }),
  'unknown-key': (p) => ({
    reason: 'reader holds a secure channel key the gateway does not have',
    fix: `if the reader was replaced or reset to factory keys, run: pingan keys forget ${p.device} ${p.address} (it is then given a new key through the install key); otherwise restore the key store from backup`,
  }),
  'install-key': (p) => ({
    reason: 'reader refuses the install key: it already has a key of its own, and the key store has none for it',
    fix: `reset reader ${p.address} to factory keys (install mode), restore the key store from backup, or set installKey to the key it was installed with`,
  }),
  'secure-channel': () => ({
    reason: 'the secure channel keeps failing',
    fix: 'check the line for noise and for a second control panel on the bus; replace the reader if it persists',
  }),
}

export function adviceFor(r: Refusal, place: FaultPlace): FaultAdvice & { detail: string } {
  return { ...ADVICE[r.cause](place), detail: r.detail }
}
