/**
 * A TCP proxy the test controls, between a browser and the server: cut() drops every open
 * connection (HTTP and WebSocket alike) and refuses new ones until restore(). Chromium's
 * offline switch would leave open WebSockets alone; this is a network that really fails.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { disposeLater } from './disposal';

export interface TcpProxy {
  /** http://127.0.0.1:<port>, forwarding to the target. */
  url: string;
  cut(): void;
  restore(): void;
  readonly connectionsAccepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let down = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    accepted++;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = disposeLater(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      down = true;
      // resetAndDestroy sends RST: the browser sees the connection fail at once, as on a real outage.
      for (const s of sockets) s.resetAndDestroy();
    },
    restore: () => {
      down = false;
    },
    get connectionsAccepted() {
      return accepted;
    },
    close,
  };
}
