// Real loopback connections for tests, closed again by closeAll() in afterEach.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';

const open = new Set<net.Socket | net.Server>();

export interface Pair {
  server: net.Server;
  client: net.Socket;
  /** The server side of the connection. */
  accepted: net.Socket;
}

export function track<T extends net.Socket | net.Server>(item: T): T {
  open.add(item);
  return item;
}

/** A listening server on 127.0.0.1 (or `host`) with an ephemeral port. */
export async function listen(server = net.createServer(), host = '127.0.0.1'): Promise<net.Server> {
  track(server);
  // A TLS server's 'connection' socket is the raw transport under a TLSWrap: destroying it
  // directly crashes Node's TLS layer, so only the TLS sockets themselves are tracked.
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: net.Socket) => track(socket));
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

export function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

/** A connected client/accepted pair over loopback. */
export async function connectedPair(server?: net.Server): Promise<Pair> {
  const listening = server ?? (await listen());
  const accepted = once(listening, 'connection') as Promise<[net.Socket]>;
  const client = track(net.connect(portOf(listening), '127.0.0.1'));
  await once(client, 'connect');
  const [socket] = await accepted;
  return { server: listening, client, accepted: socket };
}

export async function closeAll(): Promise<void> {
  for (const item of open) {
    if (item instanceof net.Socket) item.destroy();
    else if (item.listening) item.close();
  }
  open.clear();
}
