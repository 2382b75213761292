import { readFileSync } from 'node:fs'

/** The OSDP vector files in tests/vectors/osdp, typed as far as the tests use them. */
export interface PlainVector {
  name: string
  direction: 'cp->pd' | 'pd->cp'
  hex: string
}
export interface SecureFrameVector extends PlainVector {
  plaintext?: string
}
export interface SessionVector {
  scbk: string
  rnd_a: string
  rnd_b: string
  cuid: string
  s_enc: string
  s_mac1: string
  s_mac2: string
  rmac_i: string
  address: number
  frames: SecureFrameVector[]
}
export interface CardVector {
  format: string
  bits: number
  facility: number
  card: number
  raw_hex: string
}

const dir = new URL('../../vectors/osdp/', import.meta.url)
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'))

const main = load('osdp.json') as {
  plain_frames: PlainVector[]
  secure_channel: { sessions: SessionVector[] }
  wiegand: { cards: CardVector[] }
}
export const PLAIN = main.plain_frames
export const SESSIONS = main.secure_channel.sessions
export const CARDS = [...main.wiegand.cards, ...(load('wiegand-c1000.json') as { cards: CardVector[] }).cards]
export const hex = (s: string): Buffer => Buffer.from(s, 'hex')
export const plain = (name: string): Buffer => hex(PLAIN.find((v) => v.name.startsWith(name))!.hex)
