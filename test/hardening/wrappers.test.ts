// Issue 12, defect 10: other code's wrappers survive the package.
// (1) On a socket configured before it connects, the package restored `emit` at 'connect' by
//     deleting the own property, removing any tracing wrapper installed after it.
// (2) releaseKeepAlive (and the release done by Node's setKeepAlive(false)) deleted whatever
//     `setKeepAlive` the socket held, including a spy installed later.
// (3) A setKeepAlive wrapper the package installs keeps Node's `length` (2, or 4 on Node
//     24.19+/26.4+): code feature-detects the 4-argument form with it.
// (4) When applying at connect fails, neither 'connect' nor 'ready' is emitted (Node's 'ready'
//     still fired on the destroyed socket); 'error' (coded) and 'close' are.
import * as net from 'node:net';
import * as http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, getKeepAlive, keepAliveAgent, keepAliveServer, keepAliveSocket, releaseKeepAlive, setKeepAlive } from '../../lib';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { delay, within, guardUncaught } from '../helpers/hardening';

// An orphan socket's unhandled 'error' must fail this file, not kill the worker.
guardUncaught();

afterEach(closeAll);

const NODE_LENGTH = net.Socket.prototype.setKeepAlive.length;

describe('(1) a tracing wrapper installed on emit after a pending socket was configured', () => {
  it.each([
    ['setKeepAlive', (s: net.Socket) => setKeepAlive(s, { idle: 5000 })],
    ['keepAliveSocket', (s: net.Socket) => keepAliveSocket(s, { idle: 5000, count: 3 })],
  ])('%s: the tracer still sees connect, data, end and close', async (_name, configure) => {
    const server = await listen(
      net.createServer((socket) => {
        track(socket);
        socket.end('hello');
      }),
    );
    const socket = track(new net.Socket());
    configure(socket);
    const seen: string[] = [];
    const traced = socket.emit;
    socket.emit = function tracer(this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
      if (typeof event === 'string') seen.push(event);
      return Reflect.apply(traced, this, [event, ...args]) as boolean;
    } as typeof socket.emit;
    const tracer = socket.emit;
    socket.on('data', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.connect(portOf(server), '127.0.0.1');
    await within(5000, 'the connection to finish', closed);
    expect(seen).toEqual(expect.arrayContaining(['connect', 'data', 'end', 'close']));
    expect(socket.emit).toBe(tracer);
  });

  it('the tracer also stays when applying fails at connect (socket destroyed with the error)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpka-wrap-'));
    try {
      const path = join(dir, 'ipc.sock');
      const server = track(net.createServer((s) => track(s)).listen(path));
      await once(server, 'listening');
      const socket = track(new net.Socket());
      setKeepAlive(socket, { idle: 2000 });
      const seen: string[] = [];
      const traced = socket.emit;
      socket.emit = function tracer(this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
        if (typeof event === 'string') seen.push(event);
        return Reflect.apply(traced, this, [event, ...args]) as boolean;
      } as typeof socket.emit;
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.connect(path);
      await within(5000, 'close', closed);
      expect(seen).toEqual(expect.arrayContaining(['error', 'close']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('(2) a setKeepAlive spy installed after the package is never removed', () => {
  /** Installs a counting spy on sock.setKeepAlive (over whatever is there) and a counter on the handle. */
  function spyOn(socket: net.Socket): { spy: unknown; spyCalls: () => number; nodeCalls: () => number } {
    let spyCalls = 0;
    let nodeCalls = 0;
    const handle = (socket as unknown as { _handle: { setKeepAlive: (...a: unknown[]) => unknown } })._handle;
    const handleMethod = handle.setKeepAlive;
    handle.setKeepAlive = function countedHandleCall(this: unknown, ...args: unknown[]): unknown {
      nodeCalls++;
      return Reflect.apply(handleMethod, this, args);
    };
    const previous = socket.setKeepAlive;
    const spy = function spy(this: net.Socket, ...args: unknown[]): net.Socket {
      spyCalls++;
      return Reflect.apply(previous, this, args) as net.Socket;
    };
    socket.setKeepAlive = spy as typeof socket.setKeepAlive;
    return { spy, spyCalls: () => spyCalls, nodeCalls: () => nodeCalls };
  }

  it.each([
    ['releaseKeepAlive(sock)', (s: net.Socket) => releaseKeepAlive(s)],
    ['setKeepAlive(sock, { enable: false })', (s: net.Socket) => setKeepAlive(s, { enable: false })],
    ["Node's sock.setKeepAlive(false) (through the spy)", (s: net.Socket) => s.setKeepAlive(false)],
  ])('%s: the spy is still sock.setKeepAlive and still reaches Node', async (_name, act) => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000, interval: 2000, count: 3 });
    const { spy, spyCalls, nodeCalls } = spyOn(client);
    act(client);
    expect(client.setKeepAlive).toBe(spy);
    const spyBefore = spyCalls();
    const nodeBefore = nodeCalls();
    client.setKeepAlive(true, 7000);
    expect(spyCalls()).toBe(spyBefore + 1);
    expect(nodeCalls()).toBeGreaterThan(nodeBefore);
    expect(client.setKeepAlive).toBe(spy);
  });

  it('after releaseKeepAlive the spy chain behaves as Node (idle 7 s, 1 s, 10)', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000, interval: 2000, count: 3 });
    const { spy } = spyOn(client);
    releaseKeepAlive(client);
    client.setKeepAlive(true, 7000);
    expect(client.setKeepAlive).toBe(spy);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 7000, interval: 1000, count: 10 });
  });

  it('a spy installed while kept keeps the configuration working through it', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000, interval: 2000, count: 3 });
    const { spy } = spyOn(client);
    client.setKeepAlive(true, 1000);
    expect(client.setKeepAlive).toBe(spy);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 5000, interval: 2000, count: 3 });
    setKeepAlive(client, { count: 6 });
    expect(client.setKeepAlive).toBe(spy);
  });
});

describe("(3) a setKeepAlive wrapper the package installs keeps Node's length", () => {
  it('on a connected socket, a pending socket and after a second call', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000 });
    expect(client.setKeepAlive.length).toBe(NODE_LENGTH);
    setKeepAlive(client, { count: 4 });
    expect(client.setKeepAlive.length).toBe(NODE_LENGTH);
    const pending = track(keepAliveSocket(new net.Socket(), { idle: 3000 }));
    expect(pending.setKeepAlive.length).toBe(NODE_LENGTH);
  });

  it('on connect() sockets, keepAliveServer accepted sockets and keepAliveAgent sockets', async () => {
    const server = keepAliveServer(net.createServer(), { idle: 4000 });
    await listen(server);
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const client = track(connect({ port: portOf(server), host: '127.0.0.1' }, { idle: 5000 }));
    await within(5000, 'connect', once(client, 'connect'));
    expect(client.setKeepAlive.length).toBe(NODE_LENGTH);
    const [socket] = await within(5000, 'accept', accepted);
    expect(socket.setKeepAlive.length).toBe(NODE_LENGTH);

    const httpServer = await listen(http.createServer((_req, res) => res.end('ok')));
    const agent = keepAliveAgent({ idle: 6000 });
    try {
      const req = http.get({ host: '127.0.0.1', port: portOf(httpServer), agent });
      const [res] = (await within(5000, 'response', once(req, 'response'))) as [http.IncomingMessage];
      expect((req.socket as net.Socket).setKeepAlive.length).toBe(NODE_LENGTH);
      res.resume();
    } finally {
      agent.destroy();
    }
  });
});

describe('(4) applying at connect fails: no connect, no ready; a coded error and close', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpka-ready-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a pending socket configured, then connected to a Unix socket path', async () => {
    const path = join(dir, 'late.sock');
    const server = track(net.createServer((s) => track(s)).listen(path));
    await once(server, 'listening');
    const socket = track(new net.Socket());
    setKeepAlive(socket, { idle: 2000 });
    const events: string[] = [];
    for (const event of ['connect', 'ready', 'error', 'close', 'data', 'end', 'timeout']) {
      socket.on(event, () => events.push(event));
    }
    const errored = new Promise<Error & { code?: unknown }>((resolve) => socket.once('error', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.connect(path);
    const error = await within(5000, 'error', errored);
    await within(5000, 'close', closed);
    await delay(20);
    expect(typeof error.code).toBe('string');
    expect(events).not.toContain('connect');
    expect(events).not.toContain('ready');
    expect(events).toEqual(['error', 'close']);
    expect(socket.destroyed).toBe(true);
  });

  it('the same through connect() with a path (or a coded error up front, and no orphan socket)', async () => {
    const path = join(dir, 'connect.sock');
    const accepted: net.Socket[] = [];
    const server = track(net.createServer((s) => accepted.push(s)).listen(path));
    await once(server, 'listening');
    const listener = jest.fn();
    let threw = false;
    // An orphan socket (connect() throwing after net.connect) would emit an unhandled 'error'.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      let socket: net.Socket | undefined;
      try {
        socket = track(connect({ path }, { idle: 2000 }, listener));
      } catch (error) {
        // Refusing a Unix socket path up front is as good: a coded error, nothing connected.
        expect(typeof (error as { code?: unknown }).code).toBe('string');
        threw = true;
      }
      if (socket) {
        const events: string[] = [];
        for (const event of ['connect', 'ready', 'error', 'close']) socket.on(event, () => events.push(event));
        const closed = new Promise<void>((resolve) => socket!.once('close', () => resolve()));
        await within(5000, 'close', closed);
        expect(events).toEqual(['error', 'close']);
      }
      await delay(100);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(listener).not.toHaveBeenCalled();
    expect(uncaught).toEqual([]);
    if (threw) {
      // Thrown up front: the socket (a Unix connect may complete synchronously) must not be left
      // open: the server's side sees it close. (Not destroyed here: an orphan's peer is left open on
      // purpose, destroying it would make the unreachable orphan emit an unhandled 'error'.)
      for (const socket of accepted) {
        await within(2000, "the client's end on the server side", new Promise<void>((resolve) => {
          if (socket.destroyed) resolve();
          else socket.once('close', () => resolve());
          socket.resume();
        }));
      }
    } else {
      for (const socket of accepted) socket.destroy();
    }
  });
});
