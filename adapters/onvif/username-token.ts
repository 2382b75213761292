import { createHash } from 'node:crypto'
import { NS, escapeXml } from './xml.js'

/**
 * WS-Security UsernameToken with a password digest, the authentication ONVIF requires on SOAP
 * requests [ONVIF Core §5.12.2; WSS UsernameToken Profile 1.0 §3.1].
 * Cameras reject a `Created` too far from their own clock, so it is stamped with the camera's
 * time: our clock plus the offset measured by GetSystemDateAndTime [ONVIF Core §5.12.1].
 */

/** PasswordDigest = Base64(SHA-1(nonce bytes + Created + password)). */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64')
}

/** xs:dateTime in UTC without milliseconds: some cameras refuse fractional seconds in Created. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface UsernameTokenInput {
  username: string
  password: string
  /** Our clock (ms since epoch) plus the camera's measured offset. */
  cameraTimeMs: number
  /** 16 random bytes; fresh for every request (cameras keep a replay cache). */
  nonce: Buffer
}

/** The wsse:Security header element. */
export function usernameTokenHeader(t: UsernameTokenInput): string {
  const created = isoSeconds(t.cameraTimeMs)
  const digest = passwordDigest(t.nonce, created, t.password)
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(t.username)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${t.nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  )
}
