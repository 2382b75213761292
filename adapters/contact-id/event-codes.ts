import type { Priority } from '../../base/events/types.js'

/**
 * How one Contact ID code becomes a normalized event. `type` is the new event (qualifier 1 / E),
 * `restore` the restore or closing (qualifier 3 / R); without `restore`, `<type>.restore` is used
 * when the alarm kind has it, else `type` again with `attrs.qualifier: 'restore'`.
 */
export interface CodeEntry {
  type: string
  restore?: string
  /** Overrides the type's default priority. */
  priority?: Priority
  /** DC-05's name of the code, shown to operators. */
  label: string
  /** Whether CCC is a user number (open/close, duress) rather than a zone. [DC-05 App. C] */
  subject?: 'zone' | 'user'
}

type Row = [code: number, label: string, type: string, extra?: Partial<CodeEntry>]

const USER = { subject: 'user' } as const
/** Open (1/E) is a disarm, close (3/R) an arm. [DC-05 App. C, 400 series] */
const OPEN_CLOSE = { restore: 'arm', subject: 'user' } as const
const INFO = { priority: 4 } as const
const COMM = { restore: 'communication.restore' } as const

/** SIA DC-05-1999.09 Appendix C, the codes panels in the field send. */
// biome-ignore format: the DC-05 code table, a line per group of codes as in the specification
const ROWS: Row[] = [
  // 100-109 medical
  [100, 'Medical', 'medical'], [101, 'Personal emergency', 'medical'], [102, 'Fail to report in', 'medical'],
  // 110-119 fire
  [110, 'Fire', 'fire'], [111, 'Smoke', 'fire'], [112, 'Combustion', 'fire'], [113, 'Water flow', 'fire'],
  [114, 'Heat', 'fire'], [115, 'Pull station', 'fire'], [116, 'Duct', 'fire'], [117, 'Flame', 'fire'], [118, 'Near alarm', 'fire'],
  // 120-129 panic and duress
  [120, 'Panic', 'panic'], [121, 'Duress', 'duress', USER], [122, 'Silent panic', 'panic'], [123, 'Audible panic', 'panic'],
  [124, 'Duress, access granted', 'duress', USER], [125, 'Duress, egress granted', 'duress', USER],
  // 130-139 burglary
  [130, 'Burglary', 'intrusion'], [131, 'Perimeter', 'intrusion'], [132, 'Interior', 'intrusion'], [133, '24 hour (safe)', 'intrusion'],
  [134, 'Entry/exit', 'intrusion'], [135, 'Day/night', 'intrusion'], [136, 'Outdoor', 'intrusion'], [137, 'Tamper', 'tamper'],
  [138, 'Near alarm', 'intrusion'], [139, 'Intrusion verifier', 'intrusion'],
  // 140-149 general alarm
  [140, 'General alarm', 'alarm.24h'], [141, 'Polling loop open', 'trouble'], [142, 'Polling loop short', 'trouble'],
  [143, 'Expansion module failure', 'trouble'], [144, 'Sensor tamper', 'tamper'], [145, 'Expansion module tamper', 'tamper'],
  [146, 'Silent burglary', 'intrusion'], [147, 'Sensor supervision failure', 'supervisory'],
  // 150-169 24-hour non-burglary and environmental
  [150, '24 hour non-burglary', 'alarm.24h'], [151, 'Gas detected', 'gas'], [152, 'Refrigeration', 'environmental'],
  [153, 'Loss of heat', 'environmental'], [154, 'Water leakage', 'environmental'], [155, 'Foil break', 'intrusion'],
  [156, 'Day trouble', 'trouble'], [157, 'Low bottled gas level', 'environmental'], [158, 'High temperature', 'environmental'],
  [159, 'Low temperature', 'environmental'], [161, 'Loss of air flow', 'environmental'], [162, 'Carbon monoxide detected', 'gas'],
  [163, 'Tank level', 'environmental'],
  // 200-209 fire supervisory
  [200, 'Fire supervisory', 'supervisory'], [201, 'Low water pressure', 'supervisory'], [202, 'Low CO2', 'supervisory'],
  [203, 'Gate valve sensor', 'supervisory'], [204, 'Low water level', 'supervisory'], [205, 'Pump activated', 'supervisory'],
  [206, 'Pump failure', 'supervisory'],
  // 300-399 troubles
  [300, 'System trouble', 'trouble'], [301, 'AC loss', 'power.lost', { restore: 'power.restored' }],
  [302, 'Low system battery', 'battery.low', { restore: 'battery.restored' }], [303, 'RAM checksum bad', 'trouble'],
  [304, 'ROM checksum bad', 'trouble'], [305, 'System reset', 'trouble', INFO], [306, 'Panel programming changed', 'trouble', INFO],
  [307, 'Self-test failure', 'trouble'], [308, 'System shutdown', 'trouble'], [309, 'Battery test failure', 'battery.low', { restore: 'battery.restored' }],
  [310, 'Ground fault', 'trouble'], [311, 'Battery missing/dead', 'battery.low', { restore: 'battery.restored' }],
  [312, 'Power supply overcurrent', 'trouble'], [313, 'Engineer reset', 'trouble', INFO],
  [320, 'Sounder/relay', 'trouble'], [321, 'Bell 1', 'trouble'], [322, 'Bell 2', 'trouble'], [323, 'Alarm relay', 'trouble'],
  [324, 'Trouble relay', 'trouble'], [325, 'Reversing relay', 'trouble'], [326, 'Notification appliance circuit 3', 'trouble'],
  [327, 'Notification appliance circuit 4', 'trouble'],
  [330, 'System peripheral trouble', 'trouble'], [331, 'Polling loop open', 'trouble'], [332, 'Polling loop short', 'trouble'],
  [333, 'Expansion module failure', 'trouble'], [334, 'Repeater failure', 'trouble'], [335, 'Local printer out of paper', 'trouble', INFO],
  [336, 'Local printer failure', 'trouble', INFO], [337, 'Expansion module DC loss', 'power.lost', { restore: 'power.restored' }],
  [338, 'Expansion module low battery', 'battery.low', { restore: 'battery.restored' }], [339, 'Expansion module reset', 'trouble', INFO],
  [341, 'Expansion module tamper', 'tamper'], [342, 'Expansion module AC loss', 'power.lost', { restore: 'power.restored' }],
  [343, 'Expansion module self-test fail', 'trouble'], [344, 'RF receiver jam detect', 'trouble', { priority: 2 }],
  [350, 'Communication trouble', 'communication.trouble', COMM], [351, 'Telco 1 fault', 'communication.trouble', COMM],
  [352, 'Telco 2 fault', 'communication.trouble', COMM], [353, 'Long range radio transmitter fault', 'communication.trouble', COMM],
  [354, 'Failure to communicate event', 'communication.trouble', COMM], [355, 'Loss of radio supervision', 'communication.trouble', COMM],
  [356, 'Loss of central polling', 'communication.trouble', COMM], [357, 'Long range radio VSWR problem', 'communication.trouble', COMM],
  [370, 'Protection loop', 'trouble'], [371, 'Protection loop open', 'trouble'], [372, 'Protection loop short', 'trouble'],
  [373, 'Fire trouble', 'trouble'], [374, 'Exit error alarm (zone)', 'intrusion'], [375, 'Panic zone trouble', 'trouble'],
  [376, 'Hold-up zone trouble', 'trouble'], [377, 'Swinger trouble', 'trouble'], [378, 'Cross-zone trouble', 'trouble'],
  [380, 'Sensor trouble', 'trouble'], [381, 'Loss of supervision, RF', 'supervisory'], [382, 'Loss of supervision, RPM', 'supervisory'],
  [383, 'Sensor tamper', 'tamper'], [384, 'RF low battery', 'battery.low', { restore: 'battery.restored' }],
  [385, 'Smoke detector high sensitivity', 'trouble'], [386, 'Smoke detector low sensitivity', 'trouble'],
  [387, 'Intrusion detector high sensitivity', 'trouble'], [388, 'Intrusion detector low sensitivity', 'trouble'],
  [389, 'Sensor self-test failure', 'trouble'], [391, 'Sensor watch trouble', 'trouble'], [392, 'Drift compensation error', 'trouble'],
  [393, 'Maintenance alert', 'trouble', INFO],
  // 400-459 open/close and remote access
  [400, 'Open/close', 'disarm', OPEN_CLOSE], [401, 'Open/close by user', 'disarm', OPEN_CLOSE], [402, 'Group open/close', 'disarm', OPEN_CLOSE],
  [403, 'Automatic open/close', 'disarm', OPEN_CLOSE], [404, 'Late to open/close', 'disarm', OPEN_CLOSE], [405, 'Deferred open/close', 'disarm', OPEN_CLOSE],
  [406, 'Cancel', 'alarm.cancel', { restore: 'alarm.cancel', subject: 'user' }], [407, 'Remote arm/disarm', 'disarm', OPEN_CLOSE],
  [408, 'Quick arm', 'disarm', OPEN_CLOSE], [409, 'Keyswitch open/close', 'disarm', OPEN_CLOSE],
  [411, 'Callback request made', 'other', { ...INFO, subject: 'user' }], [412, 'Successful download/access', 'other', { ...INFO, subject: 'user' }],
  [413, 'Unsuccessful access', 'other', { priority: 3, subject: 'user' }], [414, 'System shutdown command received', 'trouble'],
  [415, 'Dialer shutdown command received', 'trouble'], [416, 'Successful upload', 'other', INFO],
  [421, 'Access denied', 'other', { priority: 3, subject: 'user' }], [422, 'Access report by user', 'other', { ...INFO, subject: 'user' }],
  [423, 'Forced access', 'intrusion'], [424, 'Egress denied', 'other', { priority: 3, subject: 'user' }],
  [425, 'Egress granted', 'other', { ...INFO, subject: 'user' }], [426, 'Access door propped open', 'trouble'],
  [441, 'Armed stay', 'disarm', OPEN_CLOSE], [442, 'Keyswitch armed stay', 'disarm', OPEN_CLOSE],
  [450, 'Exception open/close', 'disarm', OPEN_CLOSE], [451, 'Early open/close', 'disarm', OPEN_CLOSE], [452, 'Late open/close', 'disarm', OPEN_CLOSE],
  [453, 'Failed to open', 'trouble', USER], [454, 'Failed to close', 'trouble', USER], [455, 'Auto-arm failed', 'trouble'],
  [456, 'Partial arm', 'arm', { restore: 'arm', subject: 'user' }], [457, 'Exit error (user)', 'trouble', USER],
  [458, 'User on premises', 'other', { ...INFO, subject: 'user' }], [459, 'Recent close', 'intrusion', USER],
  // 570-579 bypasses
  [570, 'Zone/sensor bypass', 'bypass'], [571, 'Fire bypass', 'bypass'], [572, '24 hour zone bypass', 'bypass'],
  [573, 'Burglary bypass', 'bypass'], [574, 'Group bypass', 'bypass', USER], [575, 'Swinger bypass', 'bypass'],
  [576, 'Access zone shunt', 'bypass'], [577, 'Access point bypass', 'bypass'],
  // 600-699 tests and miscellaneous
  [601, 'Manual trigger test report', 'test'], [602, 'Periodic test report', 'test'], [603, 'Periodic RF transmission', 'test'],
  [604, 'Fire test', 'test', USER], [605, 'Status report to follow', 'other', INFO], [606, 'Listen-in to follow', 'other', { priority: 2 }],
  [607, 'Walk test mode', 'test', USER], [608, 'Periodic test, system trouble present', 'test', { priority: 3 }],
  [609, 'Video transmitter active', 'other', INFO], [611, 'Point tested OK', 'test'], [612, 'Point not tested', 'test'],
  [613, 'Intrusion zone walk tested', 'test'], [614, 'Fire zone walk tested', 'test'], [615, 'Panic zone walk tested', 'test'],
  [616, 'Service request', 'trouble'],
  [621, 'Event log reset', 'other', INFO], [622, 'Event log 50% full', 'other', INFO], [623, 'Event log 90% full', 'other', INFO],
  [624, 'Event log overflow', 'other', INFO], [625, 'Time/date reset', 'other', { ...INFO, subject: 'user' }],
  [626, 'Time/date inaccurate', 'trouble'], [627, 'Program mode entry', 'other', INFO], [628, 'Program mode exit', 'other', INFO],
  [629, '32 hour event log marker', 'other', INFO], [630, 'Schedule change', 'other', INFO], [631, 'Exception schedule change', 'other', INFO],
  [632, 'Access schedule change', 'other', INFO],
]

/**
 * Codes DC-05 reserves in a block but the table above does not name take the block's meaning,
 * so a panel's proprietary 16x environmental code still reads "environmental".
 */
const BLOCKS: Array<[from: number, to: number, entry: CodeEntry]> = [
  [100, 109, { type: 'medical', label: 'Medical' }],
  [110, 119, { type: 'fire', label: 'Fire' }],
  [120, 129, { type: 'panic', label: 'Panic' }],
  [130, 139, { type: 'intrusion', label: 'Burglary' }],
  [140, 149, { type: 'alarm.24h', label: 'General alarm' }],
  [150, 159, { type: 'alarm.24h', label: '24 hour non-burglary' }],
  [160, 169, { type: 'environmental', label: 'Environmental' }],
  [200, 299, { type: 'supervisory', label: 'Supervisory' }],
  [300, 349, { type: 'trouble', label: 'System trouble' }],
  [350, 359, { type: 'communication.trouble', label: 'Communication trouble', ...COMM }],
  [360, 399, { type: 'trouble', label: 'Trouble' }],
  [400, 409, { type: 'disarm', label: 'Open/close', ...OPEN_CLOSE }],
  [440, 449, { type: 'disarm', label: 'Open/close', ...OPEN_CLOSE }],
  [570, 579, { type: 'bypass', label: 'Bypass' }],
  [600, 619, { type: 'test', label: 'Test' }],
]

export type CodeTable = ReadonlyMap<string, CodeEntry>

/** The built-in table, keyed by the 3-digit code. */
export function defaultCodeTable(): Map<string, CodeEntry> {
  const table = new Map<string, CodeEntry>()
  for (const [from, to, entry] of BLOCKS) for (let c = from; c <= to; c++) table.set(String(c), entry)
  for (const [code, label, type, extra] of ROWS) table.set(String(code), { type, label, ...extra })
  return table
}
