/**
 * A loopback TCP proxy that can take a server "down" and bring it back, for the outage scenarios of
 * bench:broadcast: the bot process talks to the proxy instead of PostgreSQL or Redis. Down destroys every
 * open connection (as a server that stops does: the client sees its socket close or reset) and destroys each
 * new one as soon as it is accepted (a refused connect); up forwards again. The servers themselves are
 * shared with other runs and are never touched.
 */
import net from 'node:net';

export class OutageProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  /** Connections accepted and dropped while down. */
  refused = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<OutageProxy> {
    let proxy: OutageProxy | undefined;
    const server = net.createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new OutageProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** The same URL, pointing at the proxy (host and port replaced). */
  url(of: string): string {
    const u = new URL(of);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Cuts every connection now; new ones are dropped until up(). Returns how many were cut. */
  goDown(): number {
    this.down = true;
    const cut = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return cut;
  }

  up(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.goDown();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.down) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    // Each side's end or error ends the pair; both are tracked so that goDown() can cut them.
    const pair = [client, upstream];
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.sockets.delete(socket);
        for (const other of pair) if (other !== socket) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
