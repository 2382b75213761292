import * as P from './replies.js'

/** The parts of a simulated PD whose changes it reports unasked. */
export interface PdStatusView {
  tamper: boolean
  powerLost: boolean
  inputs: boolean[]
  readonly outputUntil: number[]
  outputOn(i: number, now: number): boolean
}

/**
 * What the CP was last told of the PD's local status, inputs and outputs. A change since then is
 * reported on the next POLL [OSDP 2.2 §6.1]; an explicit LSTAT/ISTAT/OSTAT answer counts as told.
 */
export class PdStatus {
  private lstat = '00'
  private inputs: string
  private outputs = ''

  constructor(private readonly pd: PdStatusView) {
    this.inputs = bits(pd.inputs)
  }

  /** osdp_LSTATR: tamper and power. */
  lstatr(): P.ReplyPayload {
    this.lstat = this.lstatKey()
    return P.lstatr(this.pd.tamper, this.pd.powerLost)
  }

  /** osdp_ISTATR: every input. */
  istatr(): P.ReplyPayload {
    this.inputs = bits(this.pd.inputs)
    return P.states(P.R.ISTATR, this.pd.inputs)
  }

  /** osdp_OSTATR: every output as it is now. */
  ostatr(now: number): P.ReplyPayload {
    this.outputs = this.outputsKey(now)
    return P.states(P.R.OSTATR, this.outputStates(now))
  }

  /** The report of the first thing changed since the CP was last told, if any. */
  changed(now: number): P.ReplyPayload | undefined {
    if (this.lstatKey() !== this.lstat) return this.lstatr()
    if (bits(this.pd.inputs) !== this.inputs) return this.istatr()
    if (this.outputsKey(now) !== this.outputs) return this.ostatr(now)
    return undefined
  }

  private outputStates(now: number): boolean[] {
    return this.pd.outputUntil.map((_, i) => this.pd.outputOn(i, now))
  }

  private lstatKey(): string {
    return bits([this.pd.tamper, this.pd.powerLost])
  }

  private outputsKey(now: number): string {
    return bits(this.outputStates(now))
  }
}

function bits(values: boolean[]): string {
  return values.map((v) => (v ? '1' : '0')).join('')
}
