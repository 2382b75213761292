import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { requireRole } from '../auth/guard.js'
import { ApiErrorSchema } from '../errors.js'
import { CommandResultSchema } from '../../../base/events/command.js'
import { WaitRefusedError } from '../../commands/result-waiters.js'
import type { ApiApp, CommandSender } from '../types.js'
import { DeviceParams, notFound } from './devices.js'

/** A command sent from the console lapses after this unless it says otherwise. */
const DEFAULT_EXPIRY_MS = 30_000

const Body = z.strictObject({
  action: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Repeating an id repeats the command idempotently: the first result is answered. */
  id: z.string().min(1).max(64).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
})

/**
 * POST /devices/{id}/commands (operator): the same commands as the MQTT command topic, through the
 * same router, logged with who sent them.
 */
export function commandRoutes(app: ApiApp, sender: CommandSender, devices: ReadonlySet<string>, now: () => number): void {
  const response = { 200: CommandResultSchema, 404: ApiErrorSchema, 409: ApiErrorSchema }
  app.post(
    '/api/v1/devices/:id/commands',
    { preHandler: requireRole('operator'), schema: { params: DeviceParams, body: Body, response } },
    async (req, reply) => {
      const device = req.params.id
      if (!devices.has(device)) return reply.code(404).send(notFound(device))
      const by = req.principal!.name
      const cmd = {
        id: req.body.id ?? randomUUID(),
        action: req.body.action,
        params: req.body.params ?? {},
        expiresAt: req.body.expiresAt ?? new Date(now() + DEFAULT_EXPIRY_MS).toISOString(),
        issuedBy: by,
      }
      req.log.info({ device, command: cmd.id, action: cmd.action, user: by }, 'command sent from the API')
      try {
        return await sender.send(device, cmd)
      } catch (err) {
        if (err instanceof WaitRefusedError) return reply.code(409).send({ error: 'conflict', message: err.message })
        throw err
      }
    },
  )
}
