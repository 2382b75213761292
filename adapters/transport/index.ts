export { Transport, type TransportEvents, type TransportOptions, type TransportState } from './transport.js'
export {
  TransportSchema,
  SerialPortTransportSchema,
  TcpTransportSchema,
  describeTransport,
  isTcpTransport,
  parseTcpUrl,
  type TransportConfig,
  type SerialPortTransportConfig,
  type TcpTransportConfig,
} from './config.js'
export { CountingFramer, type FramerItem, type FramerStats, type FramerDrop, type ScanResult } from './framer.js'
