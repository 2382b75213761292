import { connect, isIP, type Socket } from 'node:net'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { FrameSplitter } from './splitter.js'

/** Where a receiver is and how to reach it. */
export interface ChannelTarget {
  host: string
  port: number
  /** The local address of the path (the interface to send from). */
  localAddress?: string
}

/**
 * One receiver's transport. Frames in replies reach `onFrame`; a failure reaches `onError` once
 * per connection (the next `send` opens a new one).
 */
export interface Channel {
  send(frame: Buffer): void
  /** After a reply: close a TCP connection the receiver wants closed; nothing for UDP. */
  release(): void
  close(): void
  onFrame: (frame: Buffer) => void
  onError: (err: Error) => void
}

/** TCP: one frame per write; the connection opened on demand, kept or released per receiver setting. */
export class TcpChannel implements Channel {
  private sock: Socket | undefined
  private splitter = new FrameSplitter()
  onFrame: (frame: Buffer) => void = () => undefined
  onError: (err: Error) => void = () => undefined

  constructor(
    private readonly target: ChannelTarget,
    private readonly keep: boolean,
  ) {}

  send(frame: Buffer): void {
    if (!this.sock || this.sock.destroyed) this.open()
    this.sock!.write(frame)
  }

  private open(): void {
    this.splitter = new FrameSplitter()
    const sock = connect({ host: this.target.host, port: this.target.port, ...(this.target.localAddress ? { localAddress: this.target.localAddress } : {}) })
    sock.setNoDelay(true)
    this.sock = sock
    sock.on('data', (chunk) => {
      for (const f of this.splitter.push(chunk)) this.onFrame(f)
    })
    const fail = (err: Error) => {
      if (this.sock !== sock) return
      this.sock = undefined
      sock.destroy()
      this.onError(err)
    }
    sock.on('error', fail)
    sock.on('close', () => fail(new Error('connection closed by the receiver')))
  }

  release(): void {
    if (!this.keep) this.close()
  }

  close(): void {
    const s = this.sock
    this.sock = undefined
    s?.destroy()
  }
}

/** UDP: one frame per datagram; only datagrams from the receiver's address and port are replies. */
export class UdpChannel implements Channel {
  private sock: UdpSocket | undefined
  onFrame: (frame: Buffer) => void = () => undefined
  onError: (err: Error) => void = () => undefined

  constructor(private readonly target: ChannelTarget) {}

  send(frame: Buffer): void {
    if (!this.sock) this.open()
    this.sock!.send(frame, this.target.port, this.target.host, (err) => {
      if (err) this.onError(err)
    })
  }

  private open(): void {
    const family = isIP(this.target.host) === 6 ? 'udp6' : 'udp4'
    const sock = createSocket(family)
    this.sock = sock
    if (this.target.localAddress) sock.bind({ address: this.target.localAddress, port: 0 })
    sock.on('message', (msg, rinfo) => {
      // The ACK comes from the datagram's destination; anything else is not ours. [SIA DC-09, UDP]
      if (rinfo.port !== this.target.port) return
      if (isIP(this.target.host) !== 0 && rinfo.address !== this.target.host) return
      this.onFrame(msg)
    })
    sock.on('error', (err) => {
      if (this.sock !== sock) return
      this.sock = undefined
      sock.close()
      this.onError(err)
    })
  }

  release(): void {}

  close(): void {
    const s = this.sock
    this.sock = undefined
    s?.close()
  }
}
