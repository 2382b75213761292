import * as P from './replies.js'

/** The serial number a simulated reader reports when none is configured. */
export const DEFAULT_SERIAL = 0x12345678

/** osdp_PDID [OSDP 2.2 §7.4]: vendor code, model, version, serial and firmware of the simulated reader. */
export function pdIdentity(serial = DEFAULT_SERIAL): P.ReplyPayload {
  return P.pdid({ vendor: Buffer.from('c3b2a1', 'hex'), model: 2, version: 1, serial, firmware: [1, 2, 3] })
}

/** osdp_PDCAP [OSDP 2.2 §7.5]: (function code, compliance level, number of items); inputs and outputs as configured. */
export function pdCapabilities(inputs: number, outputs: number): P.ReplyPayload {
  return P.pdcap([
    [1, 1, inputs],
    [2, 1, outputs],
    [3, 1, 0],
    [4, 1, 1],
    [5, 1, 1],
    [8, 1, 0],
    [9, 1, 0],
    [10, 0, 1],
    [16, 2, 0],
  ])
}
