import type { AdapterDefinition } from '../types.js'
import { ModbusUnitAdapter } from './adapter.js'
import { ModbusDeviceSchema, type ModbusDeviceConfig } from './config.js'
import { BusPool, type BusPoolOptions } from './pool.js'

/**
 * A Modbus definition with its own pool of open buses: the units of one gateway that name the
 * same port share one bus. Tests and benchmarks make their own; the registry uses `definition`.
 */
export function createModbusDefinition(opts: BusPoolOptions = {}): AdapterDefinition<ModbusDeviceConfig> {
  const pool = new BusPool(opts)
  return {
    adapter: 'modbus',
    configSchema: ModbusDeviceSchema,
    create: (config, ctx) => new ModbusUnitAdapter(config, ctx, pool),
  }
}

export const definition = createModbusDefinition()
