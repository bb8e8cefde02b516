// Issue 12, defects 6 and 7: a Proxy as target.
// - Defect 7: setKeepAlive(new Proxy(sock, {}), ...) wrapped the real socket's setKeepAlive with a
//   wrapper whose "original" was the proxy's (i.e. itself): sock.setKeepAlive(true, 1000) then
//   threw "Maximum call stack size exceeded". A proxy must be refused with ERR_INVALID_ARG_TYPE
//   before any syscall, and never poison the real socket.
// - Defect 6: setKeepAlive(http2Session.socket, ...) (Node's Proxy) wrote the kernel and then threw
//   ERR_HTTP2_NO_SOCKET_MANIPULATION. Every check must happen before the first syscall.
import * as net from 'node:net';
import * as http2 from 'node:http2';
import { once } from 'node:events';
import { getKeepAlive, keepAliveServer, keepAliveSocket, keptKeepAlive, setKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { codeOf, ssKeepAliveTimer, within } from '../helpers/hardening';

afterEach(closeAll);

function throwingTraps(): ProxyHandler<object> {
  const fail = (): never => {
    throw new Error('trap called');
  };
  return { get: fail, has: fail, getPrototypeOf: fail, getOwnPropertyDescriptor: fail, ownKeys: fail, set: fail, defineProperty: fail };
}

describe('a Proxy of a socket is refused before any syscall (defect 7)', () => {
  it.each([
    ['setKeepAlive', (target: net.Socket) => setKeepAlive(target, { idle: 3000, interval: 2000, count: 3 })],
    ['keepAliveSocket', (target: net.Socket) => keepAliveSocket(target, { idle: 3000, interval: 2000, count: 3 })],
  ])('%s(new Proxy(sock, {})): ERR_INVALID_ARG_TYPE, kernel unchanged, the real socket still works', async (_name, call) => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    expect(ssKeepAliveTimer(client.localPort!, client.remotePort!)).toBeNull();
    expect(codeOf(() => call(new Proxy(client, {})))).toBe('ERR_INVALID_ARG_TYPE');
    expect(getKeepAlive(client)).toEqual(before);
    expect(ssKeepAliveTimer(client.localPort!, client.remotePort!)).toBeNull();
    expect(keptKeepAlive(client)).toBeUndefined();
    // The real socket: Node's method and the package's both still work, in either order.
    expect(codeOf(() => client.setKeepAlive(true, 1000))).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 1000 });
    expect(codeOf(() => setKeepAlive(client, { idle: 4000, interval: 2000 }))).toBe('NO THROW');
    expect(codeOf(() => client.setKeepAlive(true, 1000))).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 4000, interval: 2000 });
  });

  it('the same after the real socket was configured first (the reported order)', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000, count: 4 });
    const before = getKeepAlive(client);
    expect(codeOf(() => setKeepAlive(new Proxy(client, {}), { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(getKeepAlive(client)).toEqual(before);
    expect(codeOf(() => setKeepAlive(client, { idle: 6000 }))).toBe('NO THROW');
    expect(codeOf(() => client.setKeepAlive(true, 1000))).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 6000, count: 4 });
    expect(keptKeepAlive(client)).toEqual({ idle: 6000, count: 4 });
  });

  it('a Proxy whose traps all throw: ERR_INVALID_ARG_TYPE (the traps are not the error)', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    const hostile = new Proxy(client, throwingTraps() as ProxyHandler<net.Socket>);
    expect(codeOf(() => setKeepAlive(hostile, { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => keepAliveSocket(hostile, { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    const revocable = Proxy.revocable(client, {});
    revocable.revoke();
    expect(codeOf(() => setKeepAlive(revocable.proxy, { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(getKeepAlive(client)).toEqual(before);
  });

  it('a Proxy of a pending socket is not queued: the real socket connects with kernel defaults', async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    const before = codeOf(() => setKeepAlive(new Proxy(socket, {}), { idle: 3000 }));
    expect(before).toBe('ERR_INVALID_ARG_TYPE');
    socket.connect(portOf(server), '127.0.0.1');
    await within(5000, 'connect', once(socket, 'connect'));
    expect(getKeepAlive(socket).enable).toBe(false);
    expect(keptKeepAlive(socket)).toBeUndefined();
    expect(codeOf(() => socket.setKeepAlive(true, 2000))).toBe('NO THROW');
  });

  it('a Proxy of a listening server is refused; the listener keeps its settings', async () => {
    const server = await listen();
    const before = getKeepAlive(server);
    expect(codeOf(() => setKeepAlive(new Proxy(server, {}), { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => keepAliveServer(new Proxy(server, {}), { idle: 3000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(getKeepAlive(server)).toEqual(before);
    const { accepted } = await connectedPair(server);
    expect(getKeepAlive(accepted).enable).toBe(false);
  });
});

describe("an http2 session's socket (Node's Proxy) is refused before any syscall (defect 6)", () => {
  it('client session: ERR_INVALID_ARG_TYPE, nothing written (read back through the raw socket and ss)', async () => {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await listen(server as unknown as net.Server);
    const port = portOf(server as unknown as net.Server);
    let raw: net.Socket | undefined;
    const session = http2.connect(`http://127.0.0.1:${port}`, {
      createConnection: () => (raw = track(net.connect(port, '127.0.0.1'))),
    });
    session.on('error', () => undefined);
    try {
      await within(5000, 'the http2 session', once(session, 'connect'));
      expect(raw).toBeDefined();
      const before: KeepAliveSettings = getKeepAlive(raw!);
      expect(before.enable).toBe(false);
      const error = codeOf(() => setKeepAlive(session.socket as net.Socket, { idle: 7000, interval: 2000, count: 3 }));
      expect(error).toBe('ERR_INVALID_ARG_TYPE');
      expect(codeOf(() => keepAliveSocket(session.socket as net.Socket, { idle: 7000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(getKeepAlive(raw!)).toEqual(before);
      expect(ssKeepAliveTimer(raw!.localPort!, raw!.remotePort!)).toBeNull();
      expect(keptKeepAlive(raw!)).toBeUndefined();
      // The session still works.
      const stream = session.request({ ':path': '/' });
      stream.resume();
      const [headers] = (await within(5000, 'the response', once(stream, 'response'))) as [http2.IncomingHttpHeaders];
      expect(headers[':status']).toBe(200);
    } finally {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
  });

  it('server side: stream.session.socket is refused, the accepted socket is unchanged', async () => {
    const server = http2.createServer();
    let raw: net.Socket | undefined;
    server.on('connection', (socket: net.Socket) => {
      raw = socket;
    });
    const outcome = new Promise<{ code: string; before: KeepAliveSettings; after: KeepAliveSettings }>((resolve) => {
      server.on('stream', (stream) => {
        const proxy = stream.session!.socket as net.Socket;
        // Read back through the raw accepted socket, not through the proxy.
        const before = getKeepAlive(raw!);
        const code = codeOf(() => setKeepAlive(proxy, { idle: 9000 }));
        const after = getKeepAlive(raw!);
        stream.respond({ ':status': 200 });
        stream.end();
        resolve({ code, before, after });
      });
    });
    await listen(server as unknown as net.Server);
    const session = http2.connect(`http://127.0.0.1:${portOf(server as unknown as net.Server)}`);
    session.on('error', () => undefined);
    try {
      const stream = session.request({ ':path': '/' });
      stream.resume();
      stream.on('error', () => undefined);
      const { code, before, after } = await within(5000, 'the stream', outcome);
      expect(code).toBe('ERR_INVALID_ARG_TYPE');
      expect(after).toEqual(before);
    } finally {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
  });
});
