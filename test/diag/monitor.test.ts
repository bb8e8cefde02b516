// The monitor's lifecycle and the causes that loopback can produce (reset, orderly close,
// application errors). Timeouts and probes are in faults.test.ts (namespaces).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { makeTestCert } from '../helpers/tls-cert';
import { monitor, explain, KeepAliveMonitor, type DeathReport } from '../../lib/index';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { runFixture } from './fixtures/run';

afterEach(closeAll);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

  it("a paused reader is not a keepalive warning: zero-window probes emit no 'probing'/'recovered'", async () => {
    const { client, accepted } = await connectedPair();
    accepted.pause(); // healthy peer, its application just does not read for a while
    const watcher = monitor({ interval: 20 });
    const warnings: string[] = [];
    for (const event of ['probing', 'stalled', 'recovered'] as const) watcher.on(event, () => warnings.push(event));
    try {
      watcher.add(client);
      const chunk = Buffer.alloc(1 << 20, 0x61);
      const total = 32 * chunk.length; // more than both ends' kernel buffers hold
      for (let i = 0; i < 32; i++) client.write(chunk);
      // Bounded wait until the kernel probes the closed window and has a probe out (~0.2-1 s).
      let zeroWindowProbes = 0;
      for (const deadline = Date.now() + 5000; zeroWindowProbes === 0 && Date.now() < deadline; ) {
        await sleep(20);
        const state = watcher.tick().get(client);
        if (state?.timer === 'zero-window-probe') zeroWindowProbes = state.probesOut;
      }
      expect(zeroWindowProbes).toBeGreaterThan(0); // tcpi_probes counts them like keepalive probes
      await sleep(1000); // a few more ticks while the window stays closed
      let received = 0;
      accepted.on('data', (data: Buffer) => (received += data.length));
      accepted.resume();
      for (const deadline = Date.now() + 5000; received < total && Date.now() < deadline; ) await sleep(20);
      expect(received).toBe(total);
      await sleep(100);
      expect(warnings).toEqual([]);
    } finally {
      watcher.close();
    }
  });

  it('addServer(tls.Server): one entry per connection, the TLSSocket after the handshake, one death', async () => {
    const cert = makeTestCert();
    cert.remove();
    const server = await listen(tls.createServer({ key: cert.key, cert: cert.cert }));
    const watcher = monitor({ interval: 1000 });
    const deaths: Array<[net.Socket, DeathReport]> = [];
    watcher.on('dead', (socket, report) => deaths.push([socket, report]));
    try {
      watcher.addServer(server);
      const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
      const client = track(tls.connect({ port: portOf(server), host: '127.0.0.1', rejectUnauthorized: false }));
      client.on('error', () => undefined);
      await once(client, 'secureConnect');
      const [peer] = await accepted;
      expect(watcher.size).toBe(1); // the TLSSocket took its raw socket's place
      expect(watcher.tick().get(peer)).toMatchObject({ state: 'ESTABLISHED', localPort: peer.localPort });
      peer.on('error', () => undefined);
      const closed = new Promise((resolve) => peer.once('close', resolve)); // once() rejects on 'error'
      peer.destroy(Object.assign(new Error('bad request'), { code: 'EAPP' }));
      await closed;
      await sleep(50);
      expect(deaths).toHaveLength(1);
      expect(deaths[0][0]).toBe(peer);
      // Evidence read through the TLSSocket's own descriptor while it was being destroyed.
      expect(deaths[0][1]).toMatchObject({ cause: 'closed', code: 'EAPP', atDeath: { state: 'ESTABLISHED' }, lastSnapshot: { state: 'ESTABLISHED' } });
      expect(watcher.size).toBe(0);
    } finally {
      watcher.close();
    }
  });

  it("addServer(tls.Server) before the handshake: a client leaving is no death, a bad handshake is one ('closed')", async () => {
    const cert = makeTestCert();
    cert.remove();
    const server = await listen(tls.createServer({ key: cert.key, cert: cert.cert }));
    const watcher = monitor({ interval: 1000 });
    const deaths: Array<[net.Socket, DeathReport]> = [];
    watcher.on('dead', (socket, report) => deaths.push([socket, report]));
    const clientErrors: string[] = [];
    server.on('tlsClientError', (error: NodeJS.ErrnoException) => clientErrors.push(String(error.code)));
    try {
      watcher.addServer(server);
      for (const send of [null, 'GET / HTTP/1.1\r\n\r\n']) {
        const connected = once(server, 'connection');
        const client = track(net.connect(portOf(server), '127.0.0.1'));
        client.on('error', () => undefined);
        await connected;
        expect(watcher.size).toBe(1); // its raw socket, until the handshake is done
        const closed = once(client, 'close');
        if (send) client.end(send);
        else client.end();
        client.resume();
        await closed;
        for (let i = 0; i < 100 && watcher.size > 0; i++) await sleep(10);
        expect(watcher.size).toBe(0);
      }
      await sleep(50);
      expect(clientErrors).toEqual(['ECONNRESET', expect.stringMatching(/^ERR_SSL_/)]);
      // The hang-up ('socket hang up', no error on the socket) is an orderly close: no 'dead'.
      expect(deaths).toHaveLength(1);
      expect(deaths[0][0]).toBeInstanceOf(tls.TLSSocket);
      expect(deaths[0][1]).toMatchObject({ cause: 'closed', code: expect.stringMatching(/^ERR_SSL_/) });
    } finally {
      watcher.close();
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
