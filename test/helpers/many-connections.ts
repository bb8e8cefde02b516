// Many loopback connections whose far ends live in another process (test/helpers/peer-server.js),
// so this process holds only its own ends under the open-file limit. Used by tests and bench.
import * as net from 'node:net';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PEER_SERVER = join(__dirname, 'peer-server.js');

/** Starts the peer process; resolves with it and the port it listens on (127.0.0.1). */
export async function startPeerServer(env: NodeJS.ProcessEnv = process.env): Promise<{ peer: ChildProcess; port: number }> {
  const peer = spawn(process.execPath, [PEER_SERVER], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const [line] = (await once(peer.stdout!, 'data')) as [Buffer];
  return { peer, port: Number(String(line).trim()) };
}

/** Connects to `port` until `clients` holds `total` connected sockets, 250 handshakes at a time. */
export async function connectUpTo(port: number, clients: net.Socket[], total: number): Promise<void> {
  while (clients.length < total) {
    const batch = Array.from({ length: Math.min(250, total - clients.length) }, () => {
      const client = net.connect(port, '127.0.0.1');
      clients.push(client);
      return once(client, 'connect');
    });
    await Promise.all(batch);
  }
}
