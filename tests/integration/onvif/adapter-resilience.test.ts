import { describe, expect, it } from 'vitest'
import { subscribed, useCameraAdapter } from './setup.js'

const { setup } = useCameraAdapter()

/** The logged error's message: errors are logged as objects, so their stacks and causes survive. */
const errText = (line: Record<string, unknown>): string => String((line['err'] as { message?: string } | undefined)?.message)

describe('ONVIF adapter: reboots, clocks, credentials, silence and subscription upkeep', () => {
  it('subscribes again, re-measuring the clock, when the camera reboots mid-subscription', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    expect(Math.abs(adapter.client.clockOffsetMs)).toBeLessThan(1500)
    cam.reboot({ downMs: 200, skewMs: 3600_000 })
    await rec.waitFor(() => cam.stats.creates >= 2 || undefined, 5000, 'a second subscription')
    await rec.waitFor(subscribed(cam), 5000, 'pulling again')
    expect(Math.abs(adapter.client.clockOffsetMs - 3600_000)).toBeLessThan(1500)
    // The health's info carries it (a walk test report's camera clock).
    expect(Math.abs(adapter.health().info.clockOffsetMs! - 3600_000)).toBeLessThan(1500)
    cam.set('tamper', true)
    const ev = await rec.waitForEvent('video.tamper')
    // occurredAt is on our clock even though the camera is now an hour ahead.
    expect(Math.abs(Date.parse(ev.occurredAt!) - Date.now())).toBeLessThan(3000)
    expect(adapter.counters.resubscribes).toBeGreaterThanOrEqual(1)
  })

  it('survives malformed replies: counts them, retries, and carries on', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.corruptNext(3)
    cam.lineCrossed(1)
    await rec.waitFor(() => adapter.counters.pullErrors >= 1 || undefined, 5000, 'a counted error')
    cam.lineCrossed(2)
    await rec.waitFor(() => rec.events.some((e) => (e.attrs?.['data'] as Record<string, string>)?.['ObjectId'] === '2') || undefined, 5000, 'the next event')
    expect(rec.lines.some((l) => l['level'] === 40 && l['device'] === 'cam-gate-1' && errText(l).includes('malformed XML'))).toBe(true)
  })

  it('replaces the subscription in time on a camera that refuses Renew', async () => {
    const { cam, rec, adapter } = await setup({ renewUnsupported: true }, {}, { subscriptionMs: 3000, renewMarginMs: 1000, pullTimeoutMs: 500 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => cam.stats.creates >= 2 || undefined, 5000, 'a replacement subscription')
    expect(cam.model.subscriptions.size).toBe(1) // the old one was unsubscribed
    cam.set('field', true)
    await rec.waitForEvent('field.intrusion')
    expect(adapter.counters.pullErrors).toBe(0)
  })

  it('echoes the subscription reference parameters of an Axis-style camera', async () => {
    const { cam, rec, adapter } = await setup({ referenceParameters: true }, {}, { subscriptionMs: 3000, renewMarginMs: 1000, pullTimeoutMs: 500 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.set('tamper', true)
    await rec.waitForEvent('video.tamper')
    await rec.waitFor(() => cam.stats.renews >= 1 || undefined, 5000, 'a renew')
    await adapter.stop()
    expect(cam.stats.unsubscribes).toBe(1)
    expect(cam.model.subscriptions.size).toBe(0)
    expect(adapter.counters.resubscribes).toBe(0)
  })

  it('works with a camera that wants HTTP Digest on its SOAP services too', async () => {
    const { cam, rec } = await setup({ soapAuth: 'digest', digestAlgorithms: ['SHA-256'] })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.set('input', true)
    await rec.waitForEvent('input')
    expect(cam.stats.authFailures).toBe(0)
  })

  it('authenticates against a camera whose clock is two hours off', async () => {
    const { cam, rec } = await setup({ skewMs: -2 * 3600_000 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.motion(true)
    await rec.waitForEvent('motion')
    expect(cam.stats.authFailures).toBe(0)
  })

  it('reports a wrong password as offline with a reason naming the camera', async () => {
    const { rec } = await setup({ password: 'the-real-one' })
    const off = await rec.waitForEvent('device.offline', 5000)
    expect(String(off.attrs?.['reason'])).toMatch(/camera cam-gate-1 refused the user name "admin"/)
    expect(rec.lines.some((l) => l['level'] === 50 && errText(l).includes('cam-gate-1'))).toBe(true)
    expect(rec.states.some((s) => s.online === false && String(s.reason).includes('cam-gate-1'))).toBe(true)
  })

  it('takes a camera that stops answering offline within its supervision window, and back online', async () => {
    const { cam, rec } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    const silentAt = Date.now()
    cam.silence(true)
    const off = await rec.waitForEvent('device.offline', 6000)
    // The window plus one supervision tick (300 ms) and a margin for a loaded machine.
    expect(Date.now() - silentAt).toBeLessThan(3000 + 2000)
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(3000 - 1000)
    expect(String(off.attrs?.['reason'])).toMatch(/no answer for/)
    cam.silence(false)
    await rec.waitForEvent('device.online', 5000)
  })

  it('reports a powered-off camera as not answering, and updates the reason when it answers but refuses us', async () => {
    const { cam, rec } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await cam.powerOff()
    const off = await rec.waitForEvent('device.offline', 8000)
    expect(String(off.attrs?.['reason'])).toMatch(/^no answer for \d+ s \(.*ECONNREFUSED/)
    // Reset to factory settings while it was off: it answers again, with another password.
    cam.model.password = 'factory-default'
    await cam.powerOn()
    const refused = await rec.waitFor(() => rec.states.find((s) => String(s.reason).includes('refused the user name "admin"')), 8000, 'the new reason')
    expect(refused.online).toBe(false)
    expect(rec.events.filter((e) => e.type.startsWith('device.')).map((e) => e.type)).toEqual(['device.online', 'device.offline'])
  })

  it('says the address is wrong when the device service answers 404, and never loops resubscribing', async () => {
    const { rec, adapter } = await setup({}, (cam) => ({ address: `http://127.0.0.1:${cam.port}/onvif/device_servce` }))
    const off = await rec.waitForEvent('device.offline', 5000)
    expect(String(off.attrs?.['reason'])).toMatch(
      /camera cam-gate-1: nothing at http:\/\/127\.0\.0\.1:\d+\/onvif\/device_servce \(HTTP 404\): the address is wrong; an ONVIF device service address ends in \/onvif\/device_service/,
    )
    // Said once; the retries (at the backoff's pace) at debug.
    await rec.waitFor(() => rec.lines.some((l) => l['msg'] === 'camera still refuses'), 5000, 'a retry')
    expect(rec.lines.filter((l) => l['level'] === 50 && errText(l).includes('the address is wrong'))).toHaveLength(1)
    expect(rec.lines.some((l) => l['msg'] === 'subscription lost: subscribing again')).toBe(false)
    expect(adapter.counters.resubscribes).toBe(0)
  })

  it('says a camera that wants credentials has no username in its config', async () => {
    const { rec } = await setup({}, { username: undefined, password: undefined })
    const off = await rec.waitForEvent('device.offline', 5000)
    expect(String(off.attrs?.['reason'])).toMatch(/camera cam-gate-1 wants credentials for \w+, but its config has no username: set username and password/)
  })

  it('renews only near termination, with WS-Addressing headers, and unsubscribes on stop', async () => {
    const { cam, rec, adapter } = await setup({ strictAddressing: true }, {}, { subscriptionMs: 4000, renewMarginMs: 1000, pullTimeoutMs: 500 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => cam.stats.pulls >= 3 || undefined, 5000, 'three pulls')
    expect(cam.stats.renews).toBe(0)
    await rec.waitFor(() => cam.stats.renews >= 1 || undefined, 6000, 'a renew')
    expect(cam.stats.addressingFaults).toBe(0)
    expect(cam.stats.creates).toBe(1)
    await adapter.stop()
    expect(cam.stats.unsubscribes).toBe(1)
    expect(cam.model.subscriptions.size).toBe(0)
  })
})
