import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LiveStream } from '../../../console/lib/live.js'

/** The browser's EventSource, which Node does not have: only what LiveStream touches. */
class FakeEventSource {
  static readonly CLOSED = 2
  static made: FakeEventSource[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  closed = false
  constructor(readonly url: string) {
    FakeEventSource.made.push(this)
  }
  addEventListener(): void {}
  close(): void {
    this.closed = true
  }
}

describe('the console live stream', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeEventSource.made = []
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('opens a new stream when the browser gives up on one (a 503 or a restart), and shows the state', () => {
    const live = new LiveStream()
    const states: boolean[] = []
    live.on('connection', (up) => states.push(up))
    live.open()
    const first = FakeEventSource.made[0]!
    first.onopen?.()
    first.readyState = FakeEventSource.CLOSED
    first.onerror?.()
    expect(states).toEqual([true, false])
    vi.advanceTimersByTime(2999)
    expect(FakeEventSource.made).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeEventSource.made).toHaveLength(2)
    FakeEventSource.made[1]!.onopen?.()
    expect(states).toEqual([true, false, true])
  })

  it('leaves reconnecting to the browser after a network error, and a closed stream stays closed', () => {
    const live = new LiveStream()
    live.open()
    FakeEventSource.made[0]!.onerror?.()
    vi.advanceTimersByTime(10_000)
    expect(FakeEventSource.made).toHaveLength(1)
    FakeEventSource.made[0]!.readyState = FakeEventSource.CLOSED
    FakeEventSource.made[0]!.onerror?.()
    live.close()
    vi.advanceTimersByTime(10_000)
    expect(FakeEventSource.made).toHaveLength(1)
  })
})
