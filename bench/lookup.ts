// The cost of finding a socket through the libuv loop (what Windows needs for every socket, as
// Node reports fd -1 there): one uv_walk over all handles, paid once per socket since
// lib/target.ts keeps the result per handle. The native index remembers each handle's
// addresses, so a walk makes syscalls only for handles it has not seen (a new socket: one).
// Measured on Linux, where the same code runs.
//   node -r ./bench/register.js bench/lookup.ts
import * as net from 'node:net';
import { once } from 'node:events';
import { locate } from '../lib/native';
import { timeOps } from './harness';

async function connections(server: net.Server, count: number, into: net.Socket[]): Promise<void> {
  const port = (server.address() as net.AddressInfo).port;
  for (let i = 0; i < count; i++) {
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    into.push(client);
  }
}

async function run(): Promise<void> {
  const server = net.createServer((socket) => sockets.push(socket));
  const sockets: net.Socket[] = [];
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
    const rows: string[] = ['| TCP handles in the loop | locate() (one uv_walk, index warm), µs |', '|---:|---:|'];
  for (const total of [10, 100, 1000, 4000]) {
    await connections(server, total / 2 - sockets.length / 2, sockets);
    // The newest socket is walked last: the worst case.
    const last = sockets[sockets.length - 1];
    const args = [last.localAddress!, last.localPort!, last.remoteAddress!, last.remotePort!] as const;
    if (locate(...args) === undefined) throw new Error('not found');
    const ops = total >= 1000 ? 200 : 2000;
    timeOps(ops, () => locate(...args) !== undefined);
    const nsPerOp = Math.min(...[0, 1, 2].map(() => timeOps(ops, () => locate(...args) !== undefined)));
    rows.push(`| ${sockets.length + 1} | ${(nsPerOp / 1000).toFixed(1)} |`);
  }
  console.log(rows.join('\n'));
  for (const socket of sockets) socket.destroy();
  server.close();
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
