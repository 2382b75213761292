import type { ApiApp } from '../types.js'
import { UplinksViewSchema, type UplinksView } from '../views/uplinks-view.js'

/** Each uplink's delivery, the journal's use and limits, and the disk's free space. */
export function uplinkRoutes(app: ApiApp, uplinks: () => Promise<UplinksView>): void {
  app.get('/api/v1/uplinks', { schema: { response: { 200: UplinksViewSchema } } }, async () => uplinks())
}
