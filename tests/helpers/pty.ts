/**
 * socat pseudo-terminal pairs for serial tests. The implementation lives beside the simulators,
 * which the CLI and the benchmarks also run over PTYs.
 */
export { startPtyPair, type PtyPair } from '../../simulators/socat-pty.js'
