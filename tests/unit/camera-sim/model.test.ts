import { describe, expect, it } from 'vitest'
import { CameraModel } from '../../../simulators/camera/model.js'
import { encodeBlockJpeg, snapshotJpeg } from '../../../simulators/camera/jpeg.js'
import { parseDuration } from '../../../simulators/camera/pullpoint.js'

function model(skewMs = 0) {
  let now = Date.parse('2026-11-22T10:00:00Z')
  const m = new CameraModel({ id: 'cam-1', username: 'admin', password: 'pw', skewMs, now: () => now, seed: 7, queueLimit: 3 })
  return { m, advance: (ms: number) => void (now += ms) }
}

describe('camera simulator model', () => {
  it('starts a subscription with every property as Initialized, then queues changes', () => {
    const { m } = model()
    const sub = m.subscribe(60_000)!
    const first = m.pull(sub.id, 100)!
    expect(first.every((x) => x.operation === 'Initialized')).toBe(true)
    expect(first.map((x) => x.topic)).toContain('RuleEngine/CellMotionDetector/Motion')
    m.set('cellMotion', true)
    m.set('cellMotion', true) // no change, no message
    expect(m.pull(sub.id, 100)).toEqual([expect.objectContaining({ operation: 'Changed', data: [['IsMotion', 'true']] })])
  })

  it('expires subscriptions on the camera clock, renews them, and forgets them on reboot', () => {
    const { m, advance } = model(7200_000)
    const sub = m.subscribe(10_000)!
    expect(sub.terminationTime).toBe(Date.parse('2026-11-22T12:00:10Z'))
    advance(8000)
    m.renew(sub.id, 10_000)
    advance(8000)
    expect(m.pull(sub.id, 1)).toBeDefined()
    advance(3000)
    expect(m.pull(sub.id, 1)).toBeUndefined()
    const again = m.subscribe(10_000)!
    m.reboot(0)
    expect(m.pull(again.id, 1)).toBeUndefined()
    expect(m.cameraTime()).toBe(Date.parse('2026-11-22T10:00:19Z'))
  })

  it('boots with the detectors as they read then, and announces its line detector as State=false', () => {
    const { m } = model()
    m.set('input', true)
    m.reboot(undefined, { tamper: true })
    expect(m.state).toMatchObject({ input: false, tamper: true })
    const sub = m.subscribe(60_000)!
    const init = m.pull(sub.id, 100)!
    expect(init.find((x) => x.topic === 'RuleEngine/TamperDetector/Tamper')?.data).toEqual([['IsTamper', 'true']])
    expect(init.find((x) => x.topic === 'RuleEngine/LineDetector/Crossed')).toMatchObject({ operation: 'Initialized', data: [['State', 'false']] })
  })

  it('caps a queue nobody pulls and counts what it dropped', () => {
    const { m } = model()
    const sub = m.subscribe(60_000)!
    for (let i = 0; i < 5; i++) m.lineCrossed(i)
    expect(sub.queue).toHaveLength(3)
    expect(sub.dropped).toBeGreaterThan(0)
  })

  it('gives the same serial number for the same seed', () => {
    expect(model().m.serial).toBe(model().m.serial)
  })

  it('reads xs:durations', () => {
    expect(parseDuration('PT10S')).toBe(10_000)
    expect(parseDuration('PT1M30S')).toBe(90_000)
    expect(parseDuration('P1DT1H')).toBe(90_000_000)
    expect(parseDuration('PT0.5S')).toBe(500)
    expect(parseDuration('soon')).toBeNaN()
  })
})

describe('simulator JPEG', () => {
  it('writes SOI, a JFIF APP0, the comment, and ends with EOI', () => {
    const j = snapshotJpeg('cam-9', 1, 0)
    expect([...j.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0])
    expect(j.subarray(6, 10).toString('latin1')).toBe('JFIF')
    expect(j.toString('latin1')).toContain('camera cam-9 1970-01-01T00:00:00.000Z #1')
    expect([...j.subarray(-2)]).toEqual([0xff, 0xd9])
  })

  it('stuffs 0xFF bytes in the entropy-coded data', () => {
    // Levels that alternate between extremes produce long all-ones codes.
    const j = encodeBlockJpeg(16, 16, (x, y) => ((x + y) % 2 === 0 ? 255 : 0), '')
    const sos = j.indexOf(Buffer.from([0xff, 0xda]))
    const data = j.subarray(sos + 10, j.length - 2)
    for (let i = 0; i < data.length - 1; i++) if (data[i] === 0xff) expect(data[i + 1]).toBe(0)
  })
})
