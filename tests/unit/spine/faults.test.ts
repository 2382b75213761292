import { describe, expect, it } from 'vitest'
import { faultAt, faultsFromEnv, parseFault } from '../../../base/faults.js'

describe('fault points', () => {
  it('are inert without PINGAN_FAULT', () => {
    const f = faultsFromEnv({})
    for (let i = 0; i < 5; i++) expect(() => f.reach('journal.commit')).not.toThrow()
  })

  it('act once, on the n-th time their point is reached', () => {
    const kills: number[] = []
    let i = 0
    const f = faultAt(parseFault('forwarder.acked:kill:3'), () => kills.push(i))
    for (i = 1; i <= 5; i++) {
      f.reach('journal.commit')
      f.reach('forwarder.acked')
    }
    expect(kills).toEqual([3])
    const fail = faultAt(parseFault('journal.commit:fail:2'), () => undefined)
    fail.reach('journal.commit')
    expect(() => fail.reach('journal.commit')).toThrow(expect.objectContaining({ code: 'SQLITE_IOERR' }))
    expect(() => fail.reach('journal.commit')).not.toThrow()
  })

  it('refuse a spec they cannot act on, saying what to use', () => {
    expect(() => parseFault('journal.fsync:kill:1')).toThrow(/unknown point.*journal.commit/)
    expect(() => parseFault('journal.commit:explode:1')).toThrow(/kill or fail/)
    expect(() => parseFault('journal.commit:kill:0')).toThrow(/count from 1/)
  })
})
