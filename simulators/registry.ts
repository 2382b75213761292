/**
 * `pingan sim <name> ...`: each simulator's cli module exports `runCli(argv)`.
 * Loaded on demand so one simulator never imports another's dependencies.
 */
export interface SimulatorCli {
  summary: string
  load(): Promise<{ runCli(argv: string[]): Promise<void> }>
}

export const SIMULATORS: Readonly<Record<string, SimulatorCli>> = {
  platform: { summary: 'an MQTT broker standing in for the police command platform', load: () => import('./platform/cli.js') },
  camera: { summary: 'ONVIF cameras over HTTP: events, snapshots behind Digest, reboots, clock skew', load: () => import('./camera/cli.js') },
  alarm: { summary: 'an alarm receiver sending Contact ID over TCP or a serial port, waiting for ACK', load: () => import('./alarm-receiver/cli.js') },
  parking: { summary: 'a Modbus RTU bus of parking locks and space sensors (TCP or serial)', load: () => import('./parking-lock/cli.js') },
  centre: { summary: 'a SIA DC-09 alarm-receiving centre over TCP and UDP: ACK/NAK/DUH, AES per account, faults', load: () => import('./alarm-centre/cli.js') },
  access: { summary: 'OSDP card readers and doors on one RS-485 bus (TCP or serial), secure channel included', load: () => import('./access-reader/cli.js') },
}
