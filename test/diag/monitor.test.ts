// The monitor's lifecycle and the causes that loopback can produce (reset, orderly close,
// application errors). Timeouts and probes are in faults.test.ts (namespaces).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { makeTestCert } from '../helpers/tls-cert';
import { monitor, explain, KeepAliveMonitor, type DeathReport } from '../../lib/index';
import { closeAll, connectedPair, listen } from '../helpers/sockets';
import { runFixture } from './fixtures/run';

afterEach(closeAll);

async function deathOf(watcher: KeepAliveMonitor, socket: net.Socket): Promise<DeathReport> {
  const [, report] = (await once(watcher, 'dead')) as [net.Socket, DeathReport];
  expect(socket.destroyed).toBe(true);
  return report;
}

describe('monitor', () => {
  it('reports a reset peer as reset, with TCP_INFO read before the descriptor closed', async () => {
    const { client, accepted } = await connectedPair();
    client.on('error', () => undefined);
    const watcher = monitor({ interval: 50 });
    try {
      watcher.add(client);
      expect(watcher.tick().get(client)).toMatchObject({ state: 'ESTABLISHED', localPort: client.localPort });
      const dead = deathOf(watcher, client);
      accepted.resetAndDestroy();
      const report = await dead;
      expect(report).toMatchObject({ cause: 'reset', code: 'ECONNRESET', lastSnapshot: { state: 'ESTABLISHED' } });
      expect(report.atDeath?.state).toBe('CLOSE'); // read from the still-open descriptor
      expect(report.configured).toMatchObject({ enable: false });
      expect(report.elapsedSinceLastReceive).toBeGreaterThanOrEqual(0);
      expect(explain(client)).toMatchObject({ cause: 'reset', code: 'ECONNRESET' });
      expect(watcher.size).toBe(0);
    } finally {
      watcher.close();
    }
  });

  it('watches TLS sockets through the same descriptor: snapshot, then a reset under TLS', async () => {
    const cert = makeTestCert();
    cert.remove(); // the PEM strings are in memory; the files are not needed
    const server = tls.createServer({ key: cert.key, cert: cert.cert }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const client = tls.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
    client.on('error', () => undefined);
    const watcher = monitor({ interval: 50 });
    try {
      await once(client, 'secureConnect');
      const [peer] = await accepted;
      watcher.add(client);
      expect(watcher.tick().get(client)).toMatchObject({ state: 'ESTABLISHED', localPort: client.localPort, remotePort: peer.localPort });
      const dead = deathOf(watcher, client);
      // The server's TLSSocket wraps a raw net.Socket: reset that one.
      (peer as unknown as { _parent: net.Socket })._parent.resetAndDestroy();
      const report = await dead;
      expect(report).toMatchObject({ cause: 'reset', code: 'ECONNRESET', atDeath: { state: 'CLOSE' } });
    } finally {
      watcher.close();
      client.destroy();
      server.close();
    }
  });

  it("an orderly close is 'closed' and emits no 'dead'", async () => {
    const { client, accepted } = await connectedPair();
    const watcher = monitor({ interval: 50 });
    const deaths: unknown[] = [];
    watcher.on('dead', (...args) => deaths.push(args));
    watcher.add(client);
    client.resume();
    accepted.end();
    await once(client, 'close');
    watcher.close();
    expect(deaths).toEqual([]);
    expect(explain(client)).toMatchObject({ cause: 'closed', code: undefined, error: null });
  });

  it("an application error is 'closed' with its code; an error without a code too", async () => {
    const a = await connectedPair();
    const b = await connectedPair();
    const watcher = monitor();
    try {
      watcher.add(a.client).add(b.client);
      a.client.on('error', () => undefined);
      b.client.on('error', () => undefined);
      a.client.destroy(Object.assign(new Error('bad frame'), { code: 'EPROTO_APP' }));
      const [, first] = (await once(watcher, 'dead')) as [net.Socket, DeathReport];
      expect(first).toMatchObject({ cause: 'closed', code: 'EPROTO_APP' });
      b.client.destroy(new Error('no code'));
      const [, second] = (await once(watcher, 'dead')) as [net.Socket, DeathReport];
      expect(second).toMatchObject({ cause: 'closed', code: undefined, rule: expect.stringContaining('no code') });
    } finally {
      watcher.close();
    }
  });

  it('explain(): null while open; for an unwatched socket it rests on the error code alone', async () => {
    const { client, accepted } = await connectedPair();
    expect(explain(client)).toBeNull();
    client.on('error', () => undefined);
    const closed = new Promise((resolve) => client.once('close', resolve)); // once() rejects on 'error'
    accepted.resetAndDestroy();
    await closed;
    expect(explain(client)).toMatchObject({ cause: 'reset', code: 'ECONNRESET', lastSnapshot: null, atDeath: null, configured: null });
    expect(() => explain({} as net.Socket)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it("addServer() watches accepted connections; 'close' of a socket or the monitor forgets it", async () => {
    const server = await listen();
    const watcher = monitor({ interval: 1000 });
    watcher.addServer(server);
    const { client, accepted } = await connectedPair(server);
    expect(watcher.size).toBe(1);
    expect(watcher.tick().get(accepted)).toMatchObject({ localPort: accepted.localPort, remotePort: client.localPort });
    expect(watcher.remove(accepted)).toBe(true);
    expect(watcher.remove(accepted)).toBe(false);
    watcher.add(client);
    const closeListeners = client.listenerCount('close');
    watcher.close();
    watcher.close(); // idempotent
    expect(client.listenerCount('close')).toBe(closeListeners - 1);
    expect(server.listenerCount('connection')).toBe(1); // only the test helper's
    expect(() => watcher.add(client)).toThrow(expect.objectContaining({ code: 'ERR_MONITOR_CLOSED' }));
    expect(watcher.tick().size).toBe(0);
  });

  it('keeps nothing per socket after it closes (bounded over many connections)', async () => {
    const server = await listen();
    const watcher = monitor({ interval: 10 });
    try {
      watcher.addServer(server);
      for (let round = 0; round < 5; round++) {
        const pairs = [];
        for (let i = 0; i < 40; i++) pairs.push(await connectedPair(server));
        expect(watcher.size).toBe(40);
        expect(watcher.tick().size).toBe(40);
        await Promise.all(pairs.map(async ({ client, accepted }) => {
          const closed = once(accepted, 'close');
          client.destroy();
          await closed;
        }));
        expect(watcher.size).toBe(0);
      }
    } finally {
      watcher.close();
    }
  });

  it('rejects bad options with typed errors', () => {
    expect(() => monitor({ interval: '1s' as unknown as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => monitor({ interval: 5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => monitor({ interval: 100.5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => monitor(null as unknown as object)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    const watcher = monitor();
    expect(() => watcher.add({} as net.Socket)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => watcher.addServer(new net.Socket() as unknown as net.Server)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    const destroyed = new net.Socket();
    destroyed.destroy();
    expect(() => watcher.add(destroyed)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(watcher.size).toBe(0);
    watcher.close();
  });

  it('does not keep the process alive', async () => {
    const { events, code } = await runFixture('lifetime.ts', [], { timeoutMs: 10000 });
    expect(code).toBe(0);
    expect(events).toEqual([expect.objectContaining({ event: 'exiting', size: 0 })]);
    expect(events[0].ticks).toBeGreaterThanOrEqual(3); // it did run while the connection lived
  });
});
