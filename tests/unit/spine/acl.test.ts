import { describe, expect, it } from 'vitest'
import { canPublish as canPublishParsed, canSubscribe, filterWithin, type Principal } from '../../../gateway/broker/acl.js'
import { parseTopic } from '../../../base/events/topics.js'
import { hashPassword, verifyPassword } from '../../../gateway/broker/passwords.js'

const producer: Principal = { username: 'p', role: 'producer', devices: new Set(['intercom']) }
const observer: Principal = { username: 'o', role: 'observer', devices: new Set() }
const operator: Principal = { username: 'op', role: 'operator', devices: new Set() }
const S = 'lotus'
const canPublish = (site: string, who: Principal, topic: string) => canPublishParsed(site, who, parseTopic(topic))

describe('ACL', () => {
  it('a producer publishes only on its own ingest topic and command results', () => {
    expect(canPublish(S, producer, 'pingan/v1/lotus/ingest/intercom')).toBe(true)
    expect(canPublish(S, producer, 'pingan/v1/lotus/cmd/intercom/result')).toBe(true)
    expect(canPublish(S, producer, 'pingan/v1/lotus/ingest/other')).toBe(false)
    expect(canPublish(S, producer, 'pingan/v1/lotus/event/access/intercom')).toBe(false)
    expect(canPublish(S, producer, 'pingan/v1/other/ingest/intercom')).toBe(false)
  })
  it('a producer subscribes only to its own commands', () => {
    expect(canSubscribe(S, producer, 'pingan/v1/lotus/cmd/intercom')).toBe(true)
    expect(canSubscribe(S, producer, 'pingan/v1/lotus/cmd/+')).toBe(false)
    expect(canSubscribe(S, producer, 'pingan/v1/lotus/event/#')).toBe(false)
  })
  it('observers read events, states, status and results but publish nothing', () => {
    for (const f of [
      'pingan/v1/lotus/event/#',
      'pingan/v1/lotus/event/alarm/+',
      'pingan/v1/lotus/state/+',
      'pingan/v1/lotus/gateway/status',
      'pingan/v1/lotus/cmd/+/result',
      '$share/g/pingan/v1/lotus/event/#',
    ]) {
      expect(canSubscribe(S, observer, f)).toBe(true)
    }
    for (const f of ['#', 'pingan/#', 'pingan/v1/+/event/#', 'pingan/v1/lotus/ingest/+', 'pingan/v1/lotus/cmd/+', '$SYS/#']) {
      expect(canSubscribe(S, observer, f)).toBe(false)
    }
    expect(canPublish(S, observer, 'pingan/v1/lotus/cmd/gate')).toBe(false)
  })
  it('operators may also send commands', () => {
    expect(canPublish(S, operator, 'pingan/v1/lotus/cmd/gate')).toBe(true)
    expect(canPublish(S, operator, 'pingan/v1/lotus/ingest/gate')).toBe(false)
  })
  it('filterWithin is a subset test of MQTT filters', () => {
    expect(filterWithin('a/+/c', 'a/#')).toBe(true)
    expect(filterWithin('a/#', 'a/+')).toBe(false)
    expect(filterWithin('a/b', 'a/b/c')).toBe(false)
    expect(filterWithin('a/+', 'a/b')).toBe(false)
  })
})

describe('passwords', () => {
  it('verifies the right password and refuses others', async () => {
    const h = await hashPassword('correct horse battery')
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/)
    expect(await verifyPassword('correct horse battery', h)).toBe(true)
    expect(await verifyPassword('wrong', h)).toBe(false)
    expect(await verifyPassword('x', 'plain-text')).toBe(false)
  })
})
