import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { yamlProblems } from './yaml-problems.js'
import { ConfigError, type ConfigProblem } from '../base/errors.js'
import { ConfigSchema, type GatewayConfig } from './schema.js'
import { formatPath, zodProblems } from './problems.js'
import { DEMO_CONFIG_YAML } from './demo.js'

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replaces `${NAME}` in every string with the environment variable NAME, so secrets stay out of
 * the file. A missing variable is a problem at its path, not an empty password.
 */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string) => {
      const v = env[name]
      if (v === undefined) {
        problems.push({
          path: formatPath(path),
          message: `environment variable ${name} is not set`,
          fix: `export ${name}=... before starting, or write the value in the file`,
        })
        return ''
      }
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i], problems))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, [...path, k], problems)
    return out
  }
  return value
}

/**
 * Every file and directory path in the config, relative ones taken from the config file's
 * directory (not the working directory, which under systemd or Docker is somewhere else).
 */
function resolvePaths(config: GatewayConfig, baseDir: string): GatewayConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  config.journal.path = config.journal.path === ':memory:' ? ':memory:' : abs(config.journal.path)
  for (const u of config.uplinks) {
    if (u.type !== 'mqtt') continue
    if (u.ca) u.ca = abs(u.ca)
    if (u.cert) u.cert = abs(u.cert)
    if (u.key) u.key = abs(u.key)
  }
  for (const d of config.devices) {
    if (d.adapter === 'onvif') d.snapshot.dir = abs(d.snapshot.dir)
    if (d.adapter === 'osdp' && d.keyStorePath !== undefined) d.keyStorePath = abs(d.keyStorePath)
  }
  return config
}

/**
 * Parses and validates configuration text. Throws ConfigError with every problem found, each with
 * its path and, where it helps, a fix. Relative file paths are taken from `baseDir`.
 */
export function parseConfig(text: string, source: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) throw new ConfigError(yamlProblems(doc.errors, text), source)
  const problems: ConfigProblem[] = []
  const raw = substituteEnv(doc.toJS(), env, [], problems)
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true })
  if (!parsed.success) {
    // A value left empty by a missing variable is already reported once, at its path.
    const envPaths = new Set(problems.map((p) => p.path))
    problems.push(...zodProblems(parsed.error).filter((p) => !envPaths.has(p.path)))
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, source)
  return resolvePaths(parsed.data, baseDir)
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(
      [{ path: file, message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, fix: 'check the path and its permissions' }],
      file,
    )
  }
  return parseConfig(text, file, dirname(resolve(file)), env)
}

/** The embedded demo configuration: the default when no file is given. */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): GatewayConfig {
  return parseConfig(DEMO_CONFIG_YAML, '(embedded demo config)', baseDir, env)
}
