import { describe, expect, it } from 'vitest'
import { subscribed, useCameraAdapter } from './setup.js'

const { setup } = useCameraAdapter()

describe('ONVIF adapter: the camera state a subscription starts with', () => {
  it('raises the alarms that became active while the camera was off, once, when it comes back', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await cam.powerOff()
    await rec.waitFor(() => adapter.counters.pullErrors >= 1 || undefined, 5000, 'the adapter to notice')
    // While it was off, a door contact on its digital input opened and the lens was covered.
    await cam.powerOn({ sensors: { input: true, tamper: true } })
    const input = await rec.waitForEvent('input', 8000)
    const tamper = await rec.waitForEvent('video.tamper', 8000)
    expect(input).toMatchObject({ zone: 'DigitalInput_0', attrs: { initialized: true } })
    expect(tamper).toMatchObject({ zone: 'MyTamperDetectorRule', attrs: { initialized: true } })
    expect(input.attrs?.['snapshot']).toBeDefined()
    expect(cam.stats.creates).toBe(2)
    // Unchanged detectors raise nothing, and the next pull repeats nothing.
    cam.lineCrossed(3)
    await rec.waitForEvent('line.crossed')
    expect(rec.ownEvents().map((e) => e.type)).toEqual(['video.tamper', 'input', 'line.crossed'])
  })

  it('takes what is active when the gateway starts as state only, and its restore as an event', async () => {
    const { cam, rec } = await setup()
    cam.set('input', true)
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => rec.states.find((s) => s['input'] === true), 5000, 'the input state')
    cam.set('input', false)
    await rec.waitForEvent('input.end')
    expect(rec.events.filter((e) => e.type === 'input')).toHaveLength(0)
  })

  it('shows the line detector as the camera reports it, not as crossed', async () => {
    const { cam, rec } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => rec.states.find((s) => 'line' in s), 5000, 'the line detector state')
    cam.lineCrossed(0)
    const crossed = await rec.waitForEvent('line.crossed')
    expect(crossed.attrs?.['data']).toEqual({ ObjectId: '0' })
    expect(rec.states.filter((s) => 'line' in s)).toEqual([{ line: false }])
  })
})

describe('ONVIF adapter: health()', () => {
  it('names the camera from GetDeviceInformation and counts pulls, lost requests and resubscriptions', async () => {
    const { cam, rec, adapter } = await setup()
    expect(adapter.health()).toMatchObject({ online: false, info: {}, link: { frames: 0, timeouts: 0 }, supervision: { windowMs: 3000 } })
    expect(adapter.health().info.clockOffsetMs).toBeUndefined() // not measured yet: no offset to report
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => adapter.health().online || undefined, 5000, 'online')
    const up = adapter.health()
    expect(up).toMatchObject({ info: { vendor: 'Pingan Sim', model: 'SIM-IPC-2000', firmware: '1.4.2', serial: cam.model.serial } })
    expect(up.lastSeenAt).toBeTypeOf('number')
    // The camera counts a pull when it is asked; we count it when its answer (a long poll) is back.
    await rec.waitFor(() => adapter.health().link.frames > 0 || undefined, 5000, 'a pull answered')
    await cam.powerOff()
    await rec.waitFor(() => adapter.health().link.timeouts >= 1 || undefined, 5000, 'a request lost')
    await cam.powerOn()
    // The rebooted camera forgot the subscription: made again, counted as a retry.
    await rec.waitFor(() => adapter.health().link.retries >= 1 || undefined, 8000, 'a resubscription')
    expect(adapter.health().link).toMatchObject({ crcErrors: 0, droppedBytes: 0 })
  })
})
