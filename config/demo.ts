/**
 * The embedded demo configuration: one compound with a third-party producer for each kind of
 * device, a local broker and API on OS-chosen ports, and an uplink to the platform simulator that
 * `pingan demo` starts on loopback (its url is replaced with the simulator's real port).
 * The credentials here (broker users, the API token, the console's demo-installer and demo-operator
 * logins) are public demo values: this config is not for production. A real site takes its secrets
 * from the environment and its console users' passwords as hashes (`pingan hash-password`).
 */
export const DEMO_CONFIG_YAML = `
version: 1
site:
  id: lotus-garden
  name: Lotus Garden Residential Compound
  address: 88 Lianhua Road, Futian District, Shenzhen
  grid: FT-0412
  coordinates: { lat: 22.5431, lon: 114.0579 }
broker:
  host: 127.0.0.1
  port: 0
  users:
    - { username: demo-producer, password: demo-producer-pw, role: producer, devices: [intercom-north, fire-panel-b3] }
    - { username: demo-observer, password: demo-observer-pw, role: observer }
    - { username: demo-operator, password: demo-operator-pw, role: operator }
api:
  host: 127.0.0.1
  port: 0
  tokens: [demo-api-token-0123456789]
  users:
    - { name: demo-installer, password: demo-installer-pw, role: installer }
    - { name: demo-operator, password: demo-operator-pw, role: operator }
    - { name: demo-viewer, password: demo-viewer-pw, role: viewer }
journal:
  path: .pingan-demo/journal.db
  maxRows: 200000
  maxBytes: 268435456
  spareBytes: 1048576
uplinks:
  - id: platform
    type: mqtt
    url: mqtt://127.0.0.1:18830
    allowPlaintext: true
    username: lotus-garden
    password: demo-uplink-pw
    statusIntervalMs: 2000
devices:
  - id: intercom-north
    adapter: mqtt-ingest
    kind: access
    name: North gate intercom
    location: { building: gate-north, area: North gate }
  - id: fire-panel-b3
    adapter: mqtt-ingest
    kind: alarm
    name: Building 3 fire panel
    location: { building: "3", area: Basement plant room }
`
