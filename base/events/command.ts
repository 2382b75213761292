import { z } from 'zod'

/** A command from the platform or an installer, on `.../cmd/{device}`. */
export const CommandSchema = z
  .object({
    /** Correlates the result; the platform's own id (a UUID is best). */
    id: z.string().min(1).max(64),
    action: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}),
    /** A command not carried out by then is answered `expired`: a lock must not rise hours late. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    issuedBy: z.string().max(64).optional(),
  })
  .strict()
export type Command = z.infer<typeof CommandSchema>

export const COMMAND_STATUSES = ['ok', 'refused', 'fault', 'timeout', 'offline', 'unsupported', 'invalid', 'expired', 'error'] as const
export const CommandStatusSchema = z.enum(COMMAND_STATUSES)
export type CommandStatus = z.infer<typeof CommandStatusSchema>

/** The outcome of a command, on `.../cmd/{device}/result`. */
export const CommandResultSchema = z.object({
  id: z.string(),
  device: z.string(),
  action: z.string(),
  status: CommandStatusSchema,
  /** Why, in words an installer can act on (e.g. "vehicle present"). */
  reason: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: z.iso.datetime({ offset: true }),
})
export type CommandResult = z.infer<typeof CommandResultSchema>
