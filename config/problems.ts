import type { z } from 'zod'
import type { ConfigProblem } from '../base/errors.js'

/** `devices.2.transport.baudRate`: the path an installer finds in the YAML file. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.')
}

/** What to do about one zod issue, in words; undefined when the message already says it. */
function fixFor(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `add ${String(issue.path.at(-1) ?? 'it')} (${issue.expected})` : `make it a ${issue.expected}`
    case 'unrecognized_keys':
      return `remove ${issue.keys.join(', ')} or check the spelling against the example config`
    case 'invalid_value':
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'invalid_union':
      return 'check the `adapter:` or `type:` value and the fields that go with it'
    case 'too_small':
      return `use at least ${String(issue.minimum)}`
    case 'too_big':
      return `use at most ${String(issue.maximum)}`
    default:
      return undefined
  }
}

/**
 * `adapter: modbu` fails the union on its discriminator: say which value was wrong and list the
 * right ones (zod's own text names neither the value nor the key). Needs `reportInput` at parse.
 */
function discriminatorProblem(issue: z.core.$ZodIssue): ConfigProblem | undefined {
  if (issue.code !== 'invalid_union' || !('discriminator' in issue) || typeof issue.discriminator !== 'string') return undefined
  const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : []
  const key = issue.discriminator
  // The union's input is the whole entry: the wrong value is its discriminator key.
  const input = issue.input
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[key] : input
  const message = value === undefined ? `${key} is missing` : `unknown ${key} ${JSON.stringify(value)}`
  return { path: formatPath(issue.path), message, fix: `use one of: ${options.map((v) => JSON.stringify(v)).join(', ')}` }
}

/** One problem per zod issue. Parse with `reportInput: true` so the wrong values can be named. */
export function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    const disc = discriminatorProblem(issue)
    if (disc) return disc
    const p: ConfigProblem = { path: formatPath(issue.path), message: issue.message }
    const fix = fixFor(issue)
    if (fix !== undefined) p.fix = fix
    return p
  })
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}`).join('\n')
}
