import { describe, expect, it } from 'vitest'
import { IngestBudget } from '../../../gateway/broker/ingest-budget.js'

/** Admits `(connection, bytes)` pairs and records the order their starts ran. */
function driver(budget: IngestBudget) {
  const started: string[] = []
  const admit = (conn: object, name: string, bytes = 10) => budget.admit(conn, bytes, () => started.push(name))
  return { started, admit }
}

describe('IngestBudget', () => {
  it('admits up to the count, then takes waiting connections in turn, each in its own order', () => {
    const b = new IngestBudget({ maxInflight: 2, maxInflightBytes: 1000 })
    const { started, admit } = driver(b)
    const flood = {}
    const quiet = {}
    for (let i = 0; i < 5; i++) admit(flood, `f${i}`)
    admit(quiet, 'q0')
    expect(started).toEqual(['f0', 'f1'])
    expect(b.waiting).toBe(4)
    b.release(10)
    b.release(10)
    expect(started).toEqual(['f0', 'f1', 'f2', 'q0'])
    for (let i = 0; i < 4; i++) b.release(10)
    expect(started).toEqual(['f0', 'f1', 'f2', 'q0', 'f3', 'f4'])
    expect(b.peakInflight).toBe(2)
    expect(b.inflight).toBe(0)
    expect(b.waiting).toBe(0)
  })

  it('holds the byte bound, and lets a payload larger than it through alone', () => {
    const b = new IngestBudget({ maxInflight: 100, maxInflightBytes: 100 })
    const { started, admit } = driver(b)
    const c = {}
    admit(c, 'a', 60)
    admit(c, 'big', 500)
    admit({}, 'b', 40)
    expect(started).toEqual(['a'])
    b.release(60)
    expect(started).toEqual(['a', 'big'])
    b.release(500)
    expect(started).toEqual(['a', 'big', 'b'])
    expect(b.peakInflightBytes).toBe(500)
  })

  it("keeps a connection's order when room comes while it still has publishes waiting", () => {
    const b = new IngestBudget({ maxInflight: 1, maxInflightBytes: 1000 })
    const { started, admit } = driver(b)
    const c = {}
    admit(c, 'c0')
    admit(c, 'c1')
    b.release(10)
    admit(c, 'c2')
    expect(started).toEqual(['c0', 'c1'])
    b.release(10)
    expect(started).toEqual(['c0', 'c1', 'c2'])
  })

  it('does not recurse when a start releases at once (publishes held at stop)', () => {
    const b = new IngestBudget({ maxInflight: 1, maxInflightBytes: 1_000_000 })
    let ran = 0
    const c = {}
    b.admit(c, 1, () => undefined)
    for (let i = 0; i < 50_000; i++)
      b.admit(c, 1, () => {
        ran++
        b.release(1)
      })
    b.release(1)
    expect(ran).toBe(50_000)
    expect(b.inflight).toBe(0)
  })
})
