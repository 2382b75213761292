/**
 * Linkage: an alarm from another device (an intrusion zone, a forced door) makes the cameras
 * linked to it in config take a snapshot. The gateway offers every committed event to every
 * linkable adapter (the capability is declared in `adapters/registry.ts` and typed in
 * `adapters/types.ts`); each camera decides from its own `linkage` config.
 */
export type { LinkedAlarm, LinkableAdapter } from '../types.js'
