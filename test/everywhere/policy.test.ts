// keepAliveEverywhere in this process: every way Node opens or accepts a TCP connection is read
// back from the kernel after Node's own setKeepAlive calls, with ss -tino as the independent
// observer; Unix sockets are left alone; close() leaves no hook behind.
import * as dc from 'node:diagnostics_channel';
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getKeepAlive, keepAliveEverywhere, keepAliveSocket, keptKeepAlive, type EverywhereHandle } from '../../lib';
import { clientChannelAtEveryConnect, socketConnectIsNodes } from '../../lib/node-internals';
import { closeAll, listen, portOf, track } from '../helpers/sockets';
import { ssOf } from '../helpers/ss';
import { useTestCert } from '../helpers/tls-cert';

const OURS = { idle: 20000, interval: 2000, count: 5 };
// userTimeout derived by the data-in-flight policy: idle + interval x count.
const EXPECTED = { enable: true, ...OURS, userTimeout: 30000 };

const testCert = useTestCert();
const handles: EverywhereHandle[] = [];
function everywhere(...args: Parameters<typeof keepAliveEverywhere>): EverywhereHandle {
  const handle = keepAliveEverywhere(...args);
  handles.push(handle);
  return handle;
}
afterEach(async () => {
  for (const handle of handles.splice(0)) handle.close();
  await closeAll();
});

async function connected<S extends net.Socket>(socket: S, event = 'connect'): Promise<S> {
  track(socket);
  await once(socket, event);
  return socket;
}

/** The accepted side of the next connection to `server`. */
function nextAccepted(server: net.Server): Promise<net.Socket> {
  return once(server, 'connection').then(([socket]) => socket as net.Socket);
}

/** Both observers agree: our read-back, and ss's keepalive timer (armed at most idle ahead). */
function expectConfigured(socket: net.Socket): void {
  expect(getKeepAlive(socket)).toEqual(EXPECTED);
  const timer = ssOf(socket).timer;
  expect(timer?.name).toBe('keepalive');
  expect(timer!.expiresMs).toBeLessThanOrEqual(OURS.idle);
  expect(timer!.expiresMs).toBeGreaterThan(OURS.idle - 5000);
}

describe(`keepAliveEverywhere on Node ${process.version} (${clientChannelAtEveryConnect() ? 'net.client.socket channel' : 'Socket.prototype.connect wrapper'})`, () => {
  it('configures net.connect, new Socket().connect and tls.connect, through later setKeepAlive calls', async () => {
    const server = await listen();
    const tlsServer = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }));
    everywhere(OURS);
    const a = await connected(net.connect(portOf(server), '127.0.0.1'));
    const b = await connected(new net.Socket().connect(portOf(server), '127.0.0.1'));
    const c = await connected(tls.connect({ port: portOf(tlsServer), host: '127.0.0.1', ca: testCert().cert }), 'secureConnect');
    // What drivers do after connecting (ioredis: 30 s, pg: keepAliveInitialDelayMillis).
    b.setKeepAlive(true, 30000);
    c.setKeepAlive(true, 1000);
    for (const socket of [a, b, c]) expectConfigured(socket);
  });

  it('configures http client sockets (an Agent) and sockets accepted by net and http servers', async () => {
    const plain = await listen();
    const web = await listen(http.createServer((_req, res) => res.end('ok')));
    // keepAlive: true makes Node rewrite each accepted socket to its own delay, 1 s, 10.
    const nodeKeepAlive = await listen(http.createServer({ keepAlive: true, keepAliveInitialDelay: 1000 }, (_req, res) => res.end('ok')));
    const before = nextAccepted(plain); // a listener opened before the policy: per accepted socket
    everywhere(OURS);
    const late = await listen(); // opened after: its listening socket is configured, accepted ones inherit
    const [viaPlain] = await Promise.all([before, connected(net.connect(portOf(plain), '127.0.0.1'))]);
    const [viaLate] = await Promise.all([nextAccepted(late), connected(net.connect(portOf(late), '127.0.0.1'))]);
    expectConfigured(viaPlain);
    expectConfigured(viaLate);
    expect(getKeepAlive(late)).toEqual(EXPECTED);
    for (const server of [web, nodeKeepAlive]) {
      const accepted = nextAccepted(server);
      const agent = new http.Agent({ keepAlive: true });
      const request = http.get({ host: '127.0.0.1', port: portOf(server), agent });
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      response.resume();
      await once(response, 'end');
      expectConfigured(request.socket!);
      expectConfigured(await accepted);
      agent.destroy();
    }
  });

  it('leaves Unix-domain sockets alone: no error, no configuration kept, data flows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tka-unix-'));
    try {
      const path = join(dir, 's.sock');
      const server = track(net.createServer((socket) => socket.end('hello')));
      everywhere(OURS);
      server.listen(path);
      await once(server, 'listening');
      const accepted = nextAccepted(server);
      for (const client of [net.connect(path), new net.Socket().connect(path)]) {
        track(client);
        const errors: Error[] = [];
        client.on('error', (error) => errors.push(error));
        const [data] = (await once(client, 'data')) as [Buffer];
        expect(data.toString()).toBe('hello');
        expect(client.destroyed).toBe(false);
        expect(keptKeepAlive(client)).toBeUndefined();
        expect(errors).toEqual([]);
      }
      expect(keptKeepAlive(await accepted)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('filter: restricts by direction and port; clients / servers: false turn a side off', async () => {
    const wanted = await listen();
    const other = await listen();
    const seen: { direction: string; port?: number }[] = [];
    everywhere(OURS, {
      servers: false,
      filter: (_socket, info) => {
        seen.push({ direction: info.direction, port: info.port });
        return info.port === portOf(wanted);
      },
    });
    const [yes, acceptedYes] = await Promise.all([connected(net.connect(portOf(wanted), '127.0.0.1')), nextAccepted(wanted)]);
    const no = await connected(net.connect(portOf(other), '127.0.0.1'));
    expectConfigured(yes);
    expect(keptKeepAlive(no)).toBeUndefined();
    expect(getKeepAlive(no).idle).not.toBe(OURS.idle);
    expect(keptKeepAlive(acceptedYes)).toBeUndefined(); // servers: false
    expect(seen).toEqual([{ direction: 'client', port: portOf(wanted) }, { direction: 'client', port: portOf(other) }]);
  });

  it("a socket's own configuration wins over the policy", async () => {
    const server = await listen();
    everywhere(OURS);
    const own = keepAliveSocket(new net.Socket(), { idle: 9000 });
    await connected(own.connect(portOf(server), '127.0.0.1'));
    expect(keptKeepAlive(own)).toEqual({ idle: 9000 });
    expect(getKeepAlive(own).idle).toBe(9000);
  });

  it('the newest open policy is in force; close() is idempotent and removes every hook', async () => {
    const server = await listen();
    const channels = ['net.client.socket', 'net.server.socket', 'tracing:net.server.listen:asyncEnd'];
    const subscribedBefore = channels.map((name) => dc.channel(name).hasSubscribers);
    const first = everywhere(OURS);
    const second = everywhere({ idle: 11000 });
    expect(getKeepAlive(await connected(net.connect(portOf(server), '127.0.0.1'))).idle).toBe(11000);
    second.close();
    second.close();
    expectConfigured(await connected(net.connect(portOf(server), '127.0.0.1')));
    first.close();
    expect(socketConnectIsNodes(net.Socket)).toBe(true);
    expect(channels.map((name) => dc.channel(name).hasSubscribers)).toEqual(subscribedBefore);
    const after = await connected(new net.Socket().connect(portOf(server), '127.0.0.1'));
    expect(keptKeepAlive(after)).toBeUndefined();
  });

  it('on the wrapper path, a wrapper installed over ours by other code survives close()', () => {
    if (clientChannelAtEveryConnect()) return; // no wrapper on this Node line
    const handle = everywhere(OURS);
    const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => unknown };
    const ours = proto.connect;
    const tracer = function connect(this: unknown, ...args: unknown[]): unknown {
      return ours.apply(this, args);
    };
    proto.connect = tracer;
    try {
      handle.close();
      expect(proto.connect).toBe(tracer);
    } finally {
      proto.connect = ours;
      everywhere(OURS).close(); // reinstalling on top of our own pass-through, then restoring Node's
    }
    expect(socketConnectIsNodes(net.Socket)).toBe(true);
  });

  it('refuses bad options and settings before installing anything', () => {
    expect(() => keepAliveEverywhere({ idle: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => keepAliveEverywhere(OURS, { filter: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => keepAliveEverywhere(OURS, { clients: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(socketConnectIsNodes(net.Socket)).toBe(true);
  });
});
