import { z } from 'zod'

/**
 * A register map, declared in config: which registers and coils a unit has, how to read them
 * and what their values mean. An installer adds a vendor's map here without touching code.
 *
 * Addresses are the 0-based protocol addresses on the wire [MB-AP §4.4]: the register a vendor
 * manual calls "40001" (or "holding register 1") is `table: holding, address: 0`.
 */
export const TABLES = ['coil', 'discrete', 'holding', 'input'] as const
export type Table = (typeof TABLES)[number]
export const VALUE_TYPES = ['bool', 'u16', 'i16', 'u32', 'i32', 'f32'] as const

const NameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'use a name of letters, digits, "-" or "_", starting with a letter')
const IntKey = z.string().regex(/^-?\d+$/, 'state keys are the integer values the register holds')

/** What one raw value means: a state label, and the event to raise on entering (and leaving) it. */
export const StateEntrySchema = z.strictObject({
  state: NameSchema,
  /** Event type raised when the point enters this state (from the device kind's closed list). */
  event: z.string().min(1).max(64).optional(),
  /** Event type raised when the point leaves this state (e.g. lock.fault.restore). */
  restoreEvent: z.string().min(1).max(64).optional(),
})
export type StateEntry = z.infer<typeof StateEntrySchema>

/** A threshold on the scaled value, e.g. battery volts below 11.0 -> battery.low. */
export const LowSchema = z.strictObject({
  below: z.number(),
  event: z.string().min(1).max(64).default('battery.low'),
  restoreEvent: z.string().min(1).max(64).default('battery.restored'),
  /** The value must climb this far above `below` before the restore, so a value on the edge does not flap. */
  hysteresis: z.number().min(0).default(0),
})

export const PointSchema = z
  .strictObject({
    table: z.enum(TABLES),
    /** 0-based protocol address (vendor "40001" is holding 0). */
    address: z.number().int().min(0).max(65_535),
    /** bool for coils and discrete inputs; u16 by default for registers. 32-bit types take two registers. */
    type: z.enum(VALUE_TYPES).optional(),
    /** For 32-bit types: `high-first` (Modbus' big-endian convention) or `low-first` (many meters). */
    wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
    /** A bit field inside a 16-bit register: bits `from` .. `from + count - 1`, bit 0 the least significant. */
    bits: z.strictObject({ from: z.number().int().min(0).max(15), count: z.number().int().min(1).max(16) }).optional(),
    /** Engineering value = raw * scale + offset. */
    scale: z.number().default(1),
    offset: z.number().default(0),
    unit: z.string().max(16).optional(),
    /** Raw value -> state (and events). Without it the point reports its scaled value. */
    states: z.record(IntKey, StateEntrySchema).optional(),
    low: LowSchema.optional(),
    /** A new state must hold this long before it is reported, so a flickering sensor does not flood. */
    debounceMs: z.number().int().min(0).max(600_000).default(0),
    /**
     * The engineering values a working device can report (in `unit`); a reading outside means the
     * register map does not fit the device: a `profile.mismatch` fault, not events.
     */
    range: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
    /** The raw values the register can hold (e.g. the states' keys); anything else is a `profile.mismatch`. */
    values: z.array(z.number().int()).min(1).max(256).optional(),
  })
  .superRefine((p, ctx) => {
    const bitTable = p.table === 'coil' || p.table === 'discrete'
    const type = p.type ?? (bitTable ? 'bool' : 'u16')
    if (bitTable !== (type === 'bool')) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: bitTable ? `a ${p.table} is a single bit: use type bool` : `a ${p.table} register holds numbers: use u16, i16, u32, i32 or f32`,
      })
    }
    if (p.bits !== undefined && type !== 'u16') ctx.addIssue({ code: 'custom', path: ['bits'], message: 'bit fields are taken from one u16 register' })
    if (p.bits !== undefined && p.bits.from + p.bits.count > 16) ctx.addIssue({ code: 'custom', path: ['bits'], message: 'the bit field runs past bit 15' })
    if ((type === 'u32' || type === 'i32' || type === 'f32') && p.address === 65_535)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'a 32-bit value needs two registers' })
    if (p.range?.min !== undefined && p.range.max !== undefined && p.range.min > p.range.max)
      ctx.addIssue({ code: 'custom', path: ['range'], message: `min ${p.range.min} is above max ${p.range.max}` })
    for (const key of Object.keys(p.states ?? {})) {
      if (p.values !== undefined && !p.values.includes(Number(key)))
        ctx.addIssue({ code: 'custom', path: ['values'], message: `state ${key} is not among the valid values (${p.values.join(', ')})` })
    }
  })
  .transform((p) => ({ ...p, type: p.type ?? (p.table === 'coil' || p.table === 'discrete' ? 'bool' : 'u16') }) as const)
export type Point = z.infer<typeof PointSchema>

/** A point in a given state: the condition of an await, a refusal or a fault. */
const ConditionSchema = z.strictObject({ point: NameSchema, state: NameSchema, reason: z.string().max(128).optional() })
export type Condition = z.infer<typeof ConditionSchema>

export const CommandDefSchema = z.strictObject({
  /** What to write: one coil (function 05, or 0F with `multiple`) or one register (06, or 10). */
  write: z.strictObject({
    table: z.enum(['coil', 'holding']),
    address: z.number().int().min(0).max(65_535),
    value: z.union([z.boolean(), z.number().int().min(0).max(65_535)]),
    multiple: z.boolean().default(false),
  }),
  /** The command succeeds when this point reaches this state; without it, once the write is echoed. */
  await: ConditionSchema.optional(),
  /** Checked before writing and while waiting: the command is refused (e.g. vehicle present). */
  refuseWhen: z.array(ConditionSchema).default([]),
  /** While waiting: the command failed (e.g. the lock jammed). */
  faultWhen: z.array(ConditionSchema).default([]),
  timeoutMs: z.number().int().min(100).max(300_000).default(15_000),
})
export type CommandDef = z.infer<typeof CommandDefSchema>

export const ProfileSchema = z
  .strictObject({
    description: z.string().max(256).optional(),
    points: z.record(NameSchema, PointSchema).refine((p) => Object.keys(p).length > 0, 'declare at least one point'),
    /** Actions (raise, lower, clear-fault, ...) by name. */
    commands: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'use a lower-case action name'), CommandDefSchema).default({}),
    /** Registers between two points read in one request rather than two (0 reads only contiguous runs). */
    maxReadGap: z.number().int().min(0).max(64).default(8),
  })
  .superRefine((profile, ctx) => {
    for (const [action, def] of Object.entries(profile.commands)) {
      const conds: [string, Condition | undefined][] = [['await', def.await]]
      for (const [i, c] of def.refuseWhen.entries()) conds.push([`refuseWhen.${i}`, c])
      for (const [i, c] of def.faultWhen.entries()) conds.push([`faultWhen.${i}`, c])
      for (const [where, c] of conds) {
        if (c === undefined) continue
        const at = ['commands', action, ...where.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))]
        const point = profile.points[c.point]
        if (point === undefined) {
          ctx.addIssue({ code: 'custom', path: [...at, 'point'], message: `no point named "${c.point}" (points: ${Object.keys(profile.points).join(', ')})` })
          continue
        }
        const states = Object.values(point.states ?? {}).map((s) => s.state)
        if (!states.includes(c.state)) {
          ctx.addIssue({
            code: 'custom',
            path: [...at, 'state'],
            message: `point "${c.point}" has no state "${c.state}" (states: ${states.join(', ') || 'none'})`,
          })
        }
      }
    }
  })
export type Profile = z.infer<typeof ProfileSchema>
/** A profile as written in config, before defaults. */
export type ProfileInput = z.input<typeof ProfileSchema>
