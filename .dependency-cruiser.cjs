// The layers of ARCHITECTURE.md, as import rules: `npm run lint` fails on an import that runs the
// wrong way. Paths are regular expressions on the file's path from the repository root.

// The bottom: the event model, the topic grammar, errors, logging, timers, the one retry backoff, fault points. Imports nothing of ours.
const BASE = '^base/'
// The shell: the entry points (the pingan CLI and its verbs, the demo). Nothing else imports it.
const SHELL = '^shell/'
// The config loader (YAML file, environment, paths): only the shell reads files; the rest is handed its slice.
const LOADER = '^config/(load|index)\\.ts$'
// The journal's concrete class and its SQLite rows: cloud-bridge sees the Outbox interface only.
const JOURNAL = '^gateway/journal/'
// Top-level folders, from the bottom up: a folder may import those before it, never those after.
// (adapters/ and cloud-bridge/ are side by side: neither imports the other.)
const LAYERS = ['base', 'adapters', 'cloud-bridge', 'config', 'gateway', 'simulators', 'shell']
// Tests and benchmarks sit above everything and may import any of it.
const OUTSIDE = '^(tests|bench)/|^vitest\\.config\\.ts$'

const upward = LAYERS.flatMap((from, i) =>
  LAYERS.slice(i + 1).map((to) => ({
    name: `${from}-not-${to}`,
    comment: `${from}/ sits below ${to}/ (the order is ${LAYERS.join(' < ')}): move the shared part down, or hand it in from above`,
    severity: 'error',
    from: { path: `^${from}/` },
    to: { path: `^${to}/` },
  })),
)

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle between modules: split out what both need',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'an import cycle between folders: each folder is one layer or one protocol, and they point one way',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-nothing-of-ours',
      comment: 'the bottom layer (event model, topics, errors, log, timers) imports only node and npm packages',
      severity: 'error',
      from: { path: BASE },
      to: { pathNot: `${BASE}|^node_modules/`, dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'nothing-imports-the-shell',
      comment: 'the entry points are the top: hand what they build to the core, not the other way round',
      severity: 'error',
      from: { pathNot: `${SHELL}|${OUTSIDE}` },
      to: { path: SHELL },
    },
    {
      name: 'only-the-shell-loads-config',
      comment: 'only the entry points read the config file: a component gets its config slice from its caller',
      severity: 'error',
      from: { pathNot: `${SHELL}|${LOADER}|${OUTSIDE}` },
      to: { path: LOADER },
    },
    {
      name: 'simulators-only-from-shell-and-tests',
      comment: 'simulators are test and demo equipment: the gateway itself never runs one',
      severity: 'error',
      from: { pathNot: `^simulators/|${SHELL}|${OUTSIDE}` },
      to: { path: '^simulators/' },
    },
    {
      name: 'cloud-bridge-not-the-journal',
      comment: 'cloud-bridge reads and marks events through its Outbox interface; the journal implements it',
      severity: 'error',
      from: { path: '^cloud-bridge/' },
      to: { path: JOURNAL },
    },
    {
      name: 'config-sees-adapters-through-the-registry',
      comment: "config composes each adapter's fragment through adapters/registry.ts: a rule about one adapter's devices belongs to that adapter, registered with it",
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^adapters/', pathNot: '^adapters/(registry|device-base|types)\\.ts$' },
    },
    {
      name: 'config-sees-only-uplink-fragments',
      comment: "config composes each uplink's config fragment; the uplinks' workings are not its business",
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^cloud-bridge/', pathNot: '^cloud-bridge/uplinks/(mqtt-config|[^/]+/config)\\.ts$' },
    },
    {
      name: 'console-is-self-contained',
      comment: 'the console is a browser bundle: it talks to the gateway over HTTP, never through its modules',
      severity: 'error',
      from: { path: '^console/' },
      to: { pathNot: '^console/|^node_modules/', dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'nothing-imports-the-console',
      comment: 'the gateway serves the console as files; only its tests import its modules',
      severity: 'error',
      from: { pathNot: `^console/|${OUTSIDE}` },
      to: { path: '^console/' },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
