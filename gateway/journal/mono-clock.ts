/** CLOCK_MONOTONIC in ms: never steps with NTP or `date -s`; runs from the boot, shared by every process. */
export function bootMonotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n)
}
