/**
 * The journal's tables.
 *
 * - events.pos is the outbox position: AUTOINCREMENT so a position is never handed out twice,
 *   even after the table drains empty (a forwarder reading `pos > cursor` would skip reused ones).
 * - pending holds one row per (uplink, event) not yet acknowledged by that uplink: the outbox.
 * - events.pending_uplinks counts them, so "delivered" is an indexed lookup for eviction.
 * - devices keeps each device's last per-device sequence number, which must survive eviction.
 * - events.seq repeats the body's per-device seq for the writer's trigger (NULL in rows written
 *   before the column existed).
 * - events.mono_at is CLOCK_MONOTONIC (ms) when the event was appended, for the retransmission
 *   window: it never steps; meta's `boot` says which boot the values belong to (mono-clock.ts).
 * - events_device, events_kind and events_type serve the API's event filters newest first
 *   (gateway/api/event-query.ts); the type index is on the body's JSON, as the SQL there writes it.
 */
export const DDL = `
CREATE TABLE IF NOT EXISTS events (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  device TEXT NOT NULL,
  kind TEXT NOT NULL,
  priority INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  pending_uplinks INTEGER NOT NULL,
  dedupe_key TEXT,
  body TEXT NOT NULL,
  mono_at INTEGER,
  seq INTEGER
);
CREATE INDEX IF NOT EXISTS events_delivered ON events(pos) WHERE pending_uplinks = 0;
CREATE INDEX IF NOT EXISTS events_priority ON events(priority, pos);
CREATE INDEX IF NOT EXISTS events_received ON events(received_at);
CREATE INDEX IF NOT EXISTS events_dedupe ON events(dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_device ON events(device, pos);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind, pos);
CREATE INDEX IF NOT EXISTS events_type ON events(json_extract(body, '$.type'), pos);
CREATE TABLE IF NOT EXISTS pending (
  uplink TEXT NOT NULL,
  pos INTEGER NOT NULL,
  device TEXT NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  parked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (uplink, pos)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_urgent ON pending(uplink, priority, pos) WHERE parked = 0;
CREATE INDEX IF NOT EXISTS pending_device ON pending(uplink, device, pos);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
  device TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;
`

/**
 * WAL with synchronous=FULL: with NORMAL a power cut can roll back commits made since the last
 * checkpoint, and an event already acknowledged to its device would be gone.
 */
export const PRAGMAS = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = OFF;
PRAGMA temp_store = MEMORY;
PRAGMA busy_timeout = 5000;
`

/** An SQL string literal: quotes doubled [SQLite: "SQL Language Expressions", literal values]. */
function sqlText(s: string): string {
  if (s.includes('\u0000')) throw new Error(`an SQL literal cannot hold NUL: ${JSON.stringify(s)}`)
  return `'${s.replaceAll("'", "''")}'`
}

/**
 * The writer connection's triggers (TEMP: this connection only, made at each open from the
 * configured uplinks). Inserting an event adds its outbox row for every uplink and moves its
 * device's last seq; deleting an outbox row counts it off its event. A commit is then one INSERT
 * and an acknowledgement one DELETE, each a single trip to SQLite's thread instead of three.
 */
export function writerTriggers(uplinks: readonly string[]): string {
  const outbox =
    uplinks.length === 0
      ? ''
      : `INSERT INTO main.pending (uplink, pos, device, priority) VALUES ${uplinks.map((u) => `(${sqlText(u)}, NEW.pos, NEW.device, NEW.priority)`).join(', ')};`
  return `
DROP TRIGGER IF EXISTS temp.events_written;
DROP TRIGGER IF EXISTS temp.pending_removed;
CREATE TEMP TRIGGER events_written AFTER INSERT ON main.events BEGIN
  ${outbox}
  INSERT INTO main.devices (device, last_seq) VALUES (NEW.device, NEW.seq) ON CONFLICT(device) DO UPDATE SET last_seq = excluded.last_seq;
END;
CREATE TEMP TRIGGER pending_removed AFTER DELETE ON main.pending BEGIN
  UPDATE main.events SET pending_uplinks = pending_uplinks - 1 WHERE pos = OLD.pos;
END;
`
}
