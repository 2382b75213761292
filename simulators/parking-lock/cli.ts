import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createLogger } from '../../base/log.js'
import { ParkingBusModel, type UnitSpec } from './model.js'
import { servePort, serveTcp, type WireServer } from './wire.js'

const USAGE = `pingan sim parking [options]

A bus of Modbus RTU parking locks and space sensors, on a TCP port (like a serial device server)
or on a serial device (a real RS-485 adapter, or one end of a socat PTY pair:
  socat -d -d pty,raw,echo=0,link=/tmp/gw pty,raw,echo=0,link=/tmp/sim).

Options:
  --tcp PORT            listen on 127.0.0.1:PORT (default 0: any free port)
  --mbap                answer Modbus TCP (MBAP) on the TCP port instead of RTU over TCP
  --serial PATH         serve on this serial device instead of TCP
  --baud N              serial baud rate; with --pace, also the emulated line rate (default 9600)
  --pace                delay each reply by the bytes' time on the line at --baud
  --locks LIST          lock unit addresses (default 1,2)
  --alt-locks LIST      addresses of locks with another vendor's register map (default none)
  --sensors LIST        sensor unit addresses (default 3,4)
  --travel-ms N         lock motor travel time (default 3000)
  --seed N              random seed (default 1)
  --traffic             random vehicles arriving and leaving
  --crc-error-rate X    chance a reply is sent with a broken CRC (default 0)
  --help

Commands on stdin (unit = address):
  vehicle UNIT on|off   a car arrives or leaves
  jam UNIT              the lock's next move jams
  battery UNIT VOLTS    set the battery voltage
  silent UNIT on|off    the unit stops (or resumes) answering
  exception UNIT CODE   the unit's next request gets this exception code
  slow UNIT MS          the unit answers each request after MS (0: at once)
  crc N                 the next N replies go out with a broken CRC
  status                print every unit`

function units(list: string): number[] {
  return list === '' ? [] : list.split(',').map((s) => Number(s.trim()))
}

export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tcp: { type: 'string', default: '0' },
      mbap: { type: 'boolean', default: false },
      serial: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      pace: { type: 'boolean', default: false },
      locks: { type: 'string', default: '1,2' },
      'alt-locks': { type: 'string', default: '' },
      sensors: { type: 'string', default: '3,4' },
      'travel-ms': { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      traffic: { type: 'boolean', default: false },
      'crc-error-rate': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const specs: UnitSpec[] = [
    ...units(values.locks).map((unit) => ({ unit, type: 'lock' as const })),
    ...units(values['alt-locks']).map((unit) => ({ unit, type: 'alt-lock' as const })),
    ...units(values.sensors).map((unit) => ({ unit, type: 'sensor' as const })),
  ]
  const model = new ParkingBusModel(specs, {
    now: () => Date.now(),
    seed: Number(values.seed),
    travelMs: Number(values['travel-ms']),
    crcErrorRate: Number(values['crc-error-rate']),
    ...(values.traffic ? { traffic: { meanVacantMs: 20_000, meanOccupiedMs: 30_000 } } : {}),
  })
  const log = createLogger({ level: 'info' })
  const baudRate = Number(values.baud)
  const wire = { log, ...(values.pace ? { baudRate } : {}) }
  const server: WireServer = values.serial
    ? await servePort(model, values.serial, { ...wire, baudRate })
    : await serveTcp(model, { ...wire, port: Number(values.tcp), framing: values.mbap ? 'mbap' : 'rtu' })
  const clock = setInterval(() => model.advance(), 100)
  console.log(`parking bus on ${server.address}: locks ${values.locks || 'none'}, sensors ${values.sensors || 'none'}`)

  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    try {
      console.log(control(model, line.trim().split(/\s+/)))
    } catch (err) {
      console.log(`? ${(err as Error).message}`)
    }
  })
  await new Promise<void>((done) => {
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
  clearInterval(clock)
  rl.close()
  await server.close()
}

/** One stdin command; returns what to print. */
export function control(model: ParkingBusModel, [verb, a, b]: string[]): string {
  const unit = Number(a)
  switch (verb) {
    case 'vehicle':
      model.unitOf(unit).setVehicle(b === 'on')
      return `unit ${unit}: vehicle ${b === 'on' ? 'present' : 'gone'}`
    case 'jam':
      model.lock(unit).jamNext = true
      return `unit ${unit}: next move jams`
    case 'battery':
      model.unitOf(unit).setBatteryVolts(Number(b))
      return `unit ${unit}: battery ${b} V`
    case 'silent':
      model.setSilent(unit, b === 'on')
      return `unit ${unit}: ${b === 'on' ? 'silent' : 'answering'}`
    case 'exception':
      model.failNextWith(unit, Number(b))
      return `unit ${unit}: next request gets exception ${b}`
    case 'slow':
      model.setReplyDelay(unit, Number(b))
      return `unit ${unit}: answers after ${Number(b)} ms`
    case 'crc':
      model.corruptNext(unit)
      return `next ${unit} replies corrupted`
    case 'status':
      return [...model.units.values()]
        .map((u) => `unit ${u.unit} ${u.type} vehicle=${u.vehiclePresent() ? 1 : 0}${'position' in u ? ` position=${String(u.position)}` : ''}`)
        .join('\n')
    default:
      throw new Error(`unknown command "${verb ?? ''}" (try: vehicle, jam, battery, silent, exception, slow, crc, status)`)
  }
}
