import { z } from 'zod'
import { Dc09UplinkSchema } from '../cloud-bridge/uplinks/dc09/config.js'
import { MqttUplinkSchema } from '../cloud-bridge/uplinks/mqtt-config.js'

/** Every uplink, by its `type:`: the platform over MQTT, an alarm-receiving centre over SIA DC-09. */
export const UplinkSchema = z.discriminatedUnion('type', [MqttUplinkSchema, Dc09UplinkSchema])
