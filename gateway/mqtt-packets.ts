import mqttPacket from 'mqtt-packet'

/**
 * mqtt-packet, which writes every MQTT packet of this process (aedes' and the uplink's mqtt.js
 * share one copy), builds a table of 65,536 two-byte Buffers for message ids on its first write:
 * 6-7 MB of heap that every full collection traces, kept for the life of the process. Without it a
 * message id is written from a new two-byte Buffer that dies young. Measured in the drain of
 * 1,000,000 events with a 16 MB semi-space: peak RSS 145-146 MB without the table against
 * 149-155 MB with it (BENCHMARKS.md). Must run before the first packet is written.
 */
export function writeMessageIdsWithoutTable(): void {
  mqttPacket.writeToStream.cacheNumbers = false
}
