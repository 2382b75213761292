import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Logger } from '../../base/log.js'
import type { WalkTestReport } from './report.js'
import { reportCsv } from './report-csv.js'
import { reportHtml } from './report-html.js'
import { ReportSummarySchema, WalkTestIdSchema, type ReportSummary } from './schema.js'

export const REPORT_FORMATS = ['json', 'html', 'csv'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
}

/**
 * The `walktests/` folder beside the journal file. A journal in memory (tests, trials) has no
 * folder: its reports go to the system's temporary folder, per site, rather than the working one.
 */
export function reportsDirFor(journalPath: string, site: string): string {
  if (journalPath === ':memory:') return join(tmpdir(), `pingan-walktests-${site}`)
  return join(dirname(journalPath), 'walktests')
}

/**
 * The walk test reports on disk: `<id>.json` (the signed report), `<id>.html` and `<id>.csv`
 * made from it at the same time. Each file is written to a temporary name and renamed, so a
 * reader never sees half a report.
 */
export class ReportStore {
  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  async save(report: WalkTestReport): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const files: Array<[ReportFormat, string]> = [
      ['html', reportHtml(report)],
      ['csv', reportCsv(report)],
      // Last: a report is listed once its JSON is there, and by then the others are too.
      ['json', `${JSON.stringify(report, null, 2)}\n`],
    ]
    for (const [ext, text] of files) {
      const path = join(this.dir, `${report.id}.${ext}`)
      await writeFile(`${path}.tmp`, text, { mode: 0o644 })
      await rename(`${path}.tmp`, path)
    }
  }

  /** The stored file, or undefined for an unknown id (ids are UUIDs: nothing else is read). */
  async read(id: string, format: ReportFormat): Promise<Buffer | undefined> {
    if (!WalkTestIdSchema.safeParse(id).success) return undefined
    try {
      return await readFile(join(this.dir, `${id}.${format}`))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  /** Every stored report, newest first; a file that does not read as a report is logged and left out. */
  async list(): Promise<ReportSummary[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: ReportSummary[] = []
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const parsed = ReportSummarySchema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')))
        if (parsed.success)
          out.push({
            id: parsed.data.id,
            startedAt: parsed.data.startedAt,
            endedAt: parsed.data.endedAt,
            result: parsed.data.result,
            sha256: parsed.data.sha256,
          })
        else this.log.warn({ file: name, dir: this.dir }, 'not a walk test report: left out of the list')
      } catch (err) {
        this.log.warn({ err, file: name, dir: this.dir }, 'walk test report unreadable: left out of the list')
      }
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  }
}
