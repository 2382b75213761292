import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalJson, verifyReport } from '../../../console/lib/canonical.js'
import { canonicalJson as gatewayCanonical } from '../../../gateway/walktest/canonical.js'

const hash = (s: string) => createHash('sha256').update(s).digest('hex')

describe('walk-test report hash in the console', () => {
  const body = { site: 'lotus', points: [{ zone: '3', tested: true, b: null }, { key: 'd:1' }], installer: '张工', n: 1.5 }

  it('canonical JSON sorts keys at every level and has no whitespace', () => {
    expect(canonicalJson(body)).toBe('{"installer":"张工","n":1.5,"points":[{"b":null,"tested":true,"zone":"3"},{"key":"d:1"}],"site":"lotus"}')
  })

  it('writes what the gateway hashes when it seals a report', () => {
    const odd = { b: [1, undefined, 'x'], a: { z: undefined, y: -0.5, x: 'ü\u2028' }, é: true, A: 1e21 }
    expect(canonicalJson(odd)).toBe(gatewayCanonical(odd))
    expect(canonicalJson(body)).toBe(gatewayCanonical(body))
  })

  it('verifies a report whose sha256 is the hash of the rest, and refuses an edited one', async () => {
    const report = { ...body, sha256: hash(canonicalJson(body)) }
    expect(await verifyReport(report)).toMatchObject({ ok: true })
    expect(await verifyReport({ ...report, installer: 'someone else' })).toMatchObject({ ok: false })
  })
})
