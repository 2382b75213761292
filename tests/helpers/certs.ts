import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestPki {
  dir: string
  caFile: string
  certFile: string
  keyFile: string
  ca: Buffer
  cert: Buffer
  key: Buffer
  /** A second, unrelated CA: the server's certificate must not verify against it. */
  otherCaFile: string
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with openssl. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-pki-'))
  const subj = (cn: string) => ['-subj', `/CN=${cn}`]
  for (const name of ['ca', 'other-ca']) {
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', `${name}.key`, '-out', `${name}.crt`, ...subj(`pingan test ${name}`)],
      dir,
    )
  }
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', ...subj('localhost')], dir)
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.crt', '-extfile', 'ext.cnf'],
    dir,
  )
  const f = (n: string) => join(dir, n)
  return {
    dir,
    caFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    otherCaFile: f('other-ca.crt'),
    ca: readFileSync(f('ca.crt')),
    cert: readFileSync(f('server.crt')),
    key: readFileSync(f('server.key')),
  }
}
