import { Counter, Gauge, type Registry } from 'prom-client'

/** One sample: its label values and its value. */
export type Sample<L extends string> = [labels: Partial<Record<L, string>>, value: number]

interface Spec<L extends string> {
  name: string
  help: string
  labelNames?: readonly L[]
  /** The current samples, read at scrape time; a sample left out is not exposed. */
  read(): Iterable<Sample<L>>
}

/**
 * A gauge whose samples are read from current state at every scrape (no timer, no copy kept
 * between scrapes): a device or uplink that goes away goes from the output with it.
 */
export function stateGauge<L extends string>(registry: Registry, spec: Spec<L>): Gauge<L> {
  return new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of spec.read()) this.set(labels, value)
    },
  })
}

/**
 * A counter whose totals are kept by the part that counts (the ingest gate, the journal, a
 * forwarder) and read at scrape time. The part's total only grows while the gateway runs, which is
 * what Prometheus expects of a counter; a restart resets it, which `rate()` handles.
 */
export function stateCounter<L extends string>(registry: Registry, spec: Spec<L>): Counter<L> {
  return new Counter<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of spec.read()) this.inc(labels, value)
    },
  })
}
