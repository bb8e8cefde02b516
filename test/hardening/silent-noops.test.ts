// Issue 12, defect 8: no silent no-ops (a call that returns normally while nothing reaches the
// kernel, now or ever).
// - A socket already sent to a child process (`_handle` null, not destroyed) was queued forever
//   and keptKeepAlive reported options that no connection held: ERR_SOCKET_CLOSED now.
// - A TLS socket over a plain Duplex (no descriptor at all) was queued: ERR_INVALID_ARG_TYPE now.
// - Reconnecting the same net.Socket object (a supported Node pattern): options queued before a
//   first connect that failed were dropped, and a kept socket that reconnected got Node's own
//   1 s / 10 on the new connection while keptKeepAlive still reported the options. A kept socket
//   holds its options on every connection of that object.
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as stream from 'node:stream';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { getKeepAlive, keepAliveSocket, keptKeepAlive, setKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { closedPort, codeOf, delay, ssKeepAliveTimer, within, guardUncaught } from '../helpers/hardening';

// An orphan socket's unhandled 'error' must fail this file, not kill the worker.
guardUncaught();

afterEach(closeAll);

describe('a socket already sent to a child process', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await within(5000, 'the child to exit', exited);
    }
    child = undefined;
  });

  /** Sends `socket` to a fresh child and resolves once the child holds it. */
  async function sendToChild(socket: net.Socket): Promise<void> {
    child = fork(join(__dirname, 'fixtures', 'socket-holder.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await within(10000, 'the child to start', once(child, 'spawn'));
    const got = once(child, 'message');
    await new Promise<void>((resolve, reject) => child!.send('socket', socket, (error) => (error ? reject(error) : resolve())));
    expect(await within(10000, "the child's answer", got)).toEqual(['got']);
    // The scenario of the issue: no handle in this process, yet not destroyed.
    expect((socket as unknown as { _handle: unknown })._handle).toBeNull();
    expect(socket.destroyed).toBe(false);
  }

  it('setKeepAlive / keepAliveSocket: ERR_SOCKET_CLOSED, and keptKeepAlive is undefined', async () => {
    const { client } = await connectedPair();
    await sendToChild(client);
    expect(codeOf(() => setKeepAlive(client, { idle: 5000 }))).toBe('ERR_SOCKET_CLOSED');
    expect(codeOf(() => keepAliveSocket(client, { idle: 5000, count: 3 }))).toBe('ERR_SOCKET_CLOSED');
    expect(keptKeepAlive(client)).toBeUndefined();
    // Reading it is an error too (never a made-up answer).
    expect(codeOf(() => getKeepAlive(client))).toMatch(/^ERR_SOCKET_(CLOSED|NOT_CONNECTED)$/);
    client.destroy();
  });

  it('a socket kept before it was sent: a later setKeepAlive is ERR_SOCKET_CLOSED, not queued', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 4000, interval: 2000 });
    await sendToChild(client);
    expect(codeOf(() => setKeepAlive(client, { count: 5 }))).toBe('ERR_SOCKET_CLOSED');
    expect(keptKeepAlive(client)?.count).toBeUndefined();
    client.destroy();
  });
});

describe('a TLS socket over a plain Duplex (no descriptor)', () => {
  function duplex(): stream.Duplex {
    return new stream.Duplex({
      read() {},
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
  }

  it.each([
    ['tls.connect({ socket: duplex })', () => tls.connect({ socket: duplex(), rejectUnauthorized: false })],
    ['new tls.TLSSocket(duplex)', () => new tls.TLSSocket(duplex())],
  ])('%s: ERR_INVALID_ARG_TYPE, not queued', async (_name, make) => {
    const socket = make();
    socket.on('error', () => undefined);
    try {
      expect(codeOf(() => setKeepAlive(socket, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(codeOf(() => keepAliveSocket(socket, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(keptKeepAlive(socket)).toBeUndefined();
      await delay(20); // once the handshake has started, too
      expect(codeOf(() => setKeepAlive(socket, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(keptKeepAlive(socket)).toBeUndefined();
    } finally {
      socket.destroy();
    }
  });
});

describe('an object that only has a socket prototype (found by the property suite, not in the issue list)', () => {
  it.each([
    ['Object.create(net.Socket.prototype)', () => Object.create(net.Socket.prototype) as net.Socket],
    ['Object.create(tls.TLSSocket.prototype)', () => Object.create(tls.TLSSocket.prototype) as net.Socket],
  ])('%s is refused with a coded error, not queued forever', (_name, make) => {
    const fake = make();
    expect(codeOf(() => setKeepAlive(fake, { idle: 1000 }))).toMatch(/^ERR_/);
    expect(codeOf(() => keepAliveSocket(fake, { idle: 1000 }))).toMatch(/^ERR_/);
    // Not a socket at all: the reading calls refuse it too, nothing is kept.
    expect(codeOf(() => keptKeepAlive(fake))).toBe('ERR_INVALID_ARG_TYPE');
  });
});

describe('reconnecting the same net.Socket object', () => {
  const OPTIONS = { idle: 7000, interval: 3000, count: 4, userTimeout: 11000 };
  const HELD: KeepAliveSettings = { enable: true, ...OPTIONS };

  /** Connects `socket` (again) and resolves with the kernel values read in its first 'connect' listener. */
  function connectAndRead(socket: net.Socket, port: number): Promise<KeepAliveSettings> {
    return within(
      5000,
      'connect',
      new Promise<KeepAliveSettings>((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          try {
            resolve(getKeepAlive(socket));
          } catch (error) {
            reject(error);
          }
        });
        socket.connect(port, '127.0.0.1');
      }),
    );
  }

  async function closeAndWait(socket: net.Socket): Promise<void> {
    const closed = once(socket, 'close');
    socket.destroy();
    await within(5000, 'close', closed);
  }

  it('options given before a first connect that failed (ECONNREFUSED) are applied at the next successful connect', async () => {
    const server = await listen();
    const refused = await closedPort();
    const socket = track(new net.Socket());
    setKeepAlive(socket, OPTIONS);
    const failed = new Promise<Error>((resolve) => socket.once('error', resolve));
    // (not events.once: it would reject on the 'error' event)
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.connect(refused, '127.0.0.1');
    expect(await within(5000, 'ECONNREFUSED', failed)).toMatchObject({ code: 'ECONNREFUSED' });
    await within(5000, 'close', closed);
    const atConnect = await connectAndRead(socket, portOf(server));
    expect(atConnect).toEqual(HELD);
    expect(keptKeepAlive(socket)).toEqual(OPTIONS);
    const timer = ssKeepAliveTimer(socket.localPort!, socket.remotePort!);
    expect(timer).not.toBeNull();
    expect(timer!.expiresMs).toBeLessThanOrEqual(7000);
  });

  it("a kept socket (configured before its first connect, Node's setKeepAlive(true, 1000) in the flow) holds its options on the new connection", async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    setKeepAlive(socket, OPTIONS);
    socket.setKeepAlive(true, 1000); // Node remembers it and re-applies 1 s / 1 s / 10 before every 'connect'
    expect(await connectAndRead(socket, portOf(server))).toEqual(HELD);
    await closeAndWait(socket);
    const second = await connectAndRead(socket, portOf(server));
    expect(second).toEqual(HELD);
    expect(keptKeepAlive(socket)).toEqual(OPTIONS);
    // Node's later calls on the new connection do not undo them either.
    socket.setKeepAlive(true, 2000);
    expect(getKeepAlive(socket)).toMatchObject({ enable: true, interval: 3000, count: 4, userTimeout: 11000 });
  });

  it('a kept socket configured after its first connect holds its options after reconnecting (third connection too)', async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    await connectAndRead(socket, portOf(server));
    socket.setKeepAlive(true, 1000);
    setKeepAlive(socket, OPTIONS);
    expect(getKeepAlive(socket)).toEqual(HELD);
    for (let round = 0; round < 2; round++) {
      await closeAndWait(socket);
      const again = await connectAndRead(socket, portOf(server));
      expect({ round, again }).toEqual({ round, again: HELD });
      expect(keptKeepAlive(socket)).toEqual(OPTIONS);
    }
  });

  it('keptKeepAlive never reports options that the current connection does not hold', async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    setKeepAlive(socket, { interval: 4000, count: 6 });
    socket.setKeepAlive(true, 1000);
    await connectAndRead(socket, portOf(server));
    await closeAndWait(socket);
    const now = await connectAndRead(socket, portOf(server));
    const kept = keptKeepAlive(socket);
    if (kept !== undefined) {
      for (const [field, value] of Object.entries(kept)) {
        expect({ field, holds: now[field as keyof KeepAliveSettings] }).toEqual({ field, holds: value });
      }
    }
  });
});
