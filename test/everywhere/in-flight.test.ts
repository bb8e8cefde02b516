// The data-in-flight policy's side effect, measured: with userTimeout (derived by
// keepAliveEverywhere as idle + interval x count), a live peer that stops reading (it advertises a
// zero window and answers the zero-window probes) is dropped with ETIMEDOUT once it stays closed
// longer than userTimeout; one that reads again sooner is not. Loopback, no root needed.
import * as net from 'node:net';
import { once } from 'node:events';
import { getKeepAlive, keepAliveEverywhere, type EverywhereHandle } from '../../lib';
import { closeAll, listen, portOf, track } from '../helpers/sockets';

const POLICY = { idle: 1000, interval: 1000, count: 2 }; // userTimeout 3 s
let handle: EverywhereHandle | undefined;
afterEach(async () => {
  handle?.close();
  await closeAll();
});

/** Writes 40 MB to a server that pauses reading for `pauseMs`; resolves with the outcome and when. */
async function slowConsumer(pauseMs: number): Promise<{ outcome: string; ms: number }> {
  const server = await listen(net.createServer((socket) => {
    track(socket).pause();
    setTimeout(() => socket.resume(), pauseMs);
  }));
  handle = keepAliveEverywhere(POLICY, { servers: false });
  const client = track(net.connect(portOf(server), '127.0.0.1'));
  await once(client, 'connect');
  expect(getKeepAlive(client).userTimeout).toBe(3000);
  const start = Date.now();
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < 40; i++) client.write(chunk);
  return new Promise((resolve) => {
    client.once('error', (error: NodeJS.ErrnoException) => resolve({ outcome: String(error.code), ms: Date.now() - start }));
    client.once('drain', () => resolve({ outcome: 'drained', ms: Date.now() - start }));
  });
}

describe('data-in-flight policy: a zero window (a slow consumer) counts against userTimeout', () => {
  it('a peer that stops reading for longer than userTimeout is dropped with ETIMEDOUT', async () => {
    const { outcome, ms } = await slowConsumer(8000);
    expect(outcome).toBe('ETIMEDOUT');
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(6000);
  });

  it('a peer that reads again within userTimeout keeps its connection', async () => {
    const { outcome } = await slowConsumer(1500);
    expect(outcome).toBe('drained');
  });
});
