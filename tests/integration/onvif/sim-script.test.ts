import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCommand } from '../../../simulators/camera/script.js'
import { startCameras, type CameraSim } from '../../../simulators/camera/wire.js'

let cams: CameraSim[]
beforeAll(async () => {
  cams = await startCameras(2, { prefix: 'st' })
})
afterAll(async () => {
  for (const c of cams) await c.stop()
})

describe('camera simulator console commands', () => {
  it('drives one camera or all of them', () => {
    expect(runCommand(cams, 'motion st-001 on')).toBe('motion st-001 on')
    expect(cams[0]!.model.state.cellMotion).toBe(true)
    expect(cams[1]!.model.state.cellMotion).toBe(false)
    expect(runCommand(cams, 'tamper all on')).toBe('tamper st-001,st-002 on')
    expect(cams.every((c) => c.model.state.tamper)).toBe(true)
    runCommand(cams, 'input st-002 off')
    expect(cams[1]!.model.state.input).toBe(false)
  })

  it('reboots a camera, dropping its subscriptions', () => {
    cams[0]!.model.subscribe(60_000)
    runCommand(cams, 'reboot st-001 0')
    expect(cams[0]!.model.subscriptions.size).toBe(0)
    expect(cams[0]!.model.boots).toBe(2)
  })

  it('powers a camera off (connections refused) and on again on the same port', async () => {
    const port = cams[1]!.port
    expect(runCommand(cams, 'power st-002 off')).toBe('power st-002 off')
    await expect.poll(() => cams[1]!.powered).toBe(false)
    await expect(fetch(`${cams[1]!.deviceUrl}`, { method: 'POST' })).rejects.toThrow()
    runCommand(cams, 'power st-002 on')
    await expect.poll(() => cams[1]!.powered).toBe(true)
    expect(cams[1]!.port).toBe(port)
    expect((await fetch(`http://127.0.0.1:${port}/nothing-here`, { method: 'POST' })).status).toBe(404)
  })

  it('lists cameras and explains itself on a bad line', () => {
    expect(runCommand(cams, 'list')).toMatch(/^st-001\thttp:\/\/127\.0\.0\.1:\d+\/onvif\/device_service\tsubscriptions=0\nst-002/)
    expect(runCommand(cams, 'motion nope on')).toMatch(/^no camera "nope"\ncommands/)
    expect(runCommand(cams, 'dance st-001')).toMatch(/^commands/)
    expect(runCommand(cams, '   ')).toBe('')
  })
})
