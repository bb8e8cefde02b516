// The kinds of targets: pending sockets, listening servers (inheritance), TLS sockets.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { setKeepAlive, getKeepAlive, getTcpInfo } from '../../lib';
import { connectedPair, closeAll, listen, portOf, track } from '../helpers/sockets';
import { ssOf } from '../helpers/ss';
import { makeTestCert, type TestCert } from '../helpers/tls-cert';

afterEach(closeAll);

describe('sockets that are not connected yet', () => {
  it('a new net.Socket() gets the configuration when it connects, before user connect listeners', async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    setKeepAlive(socket, { idle: 4000, interval: 2000 });
    setKeepAlive(socket, { count: 5, interval: 3000 }); // merged; the later call wins
    const seen = new Promise((resolve) => socket.on('connect', () => resolve(getKeepAlive(socket))));
    socket.connect(portOf(server), '127.0.0.1');
    expect(await seen).toEqual({ enable: true, idle: 4000, interval: 3000, count: 5, userTimeout: 0 });
  });

  it('a socket still resolving its host name (no descriptor yet) is configured on connect', async () => {
    const server = await listen();
    const socket = track(net.connect({ port: portOf(server), host: 'localhost', family: 4 }));
    expect((socket as unknown as { _handle: { fd: number } | null })._handle?.fd ?? -1).toBe(-1);
    setKeepAlive(socket, { idle: 6000, userTimeout: 7000 });
    await once(socket, 'connect');
    expect(getKeepAlive(socket)).toMatchObject({ enable: true, idle: 6000, userTimeout: 7000 });
  });

  it('a socket whose SYN is in flight is configured at once', async () => {
    const server = await listen();
    const socket = track(net.connect(portOf(server), '127.0.0.1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.connecting).toBe(true);
    setKeepAlive(socket, { idle: 3000 });
    expect(getKeepAlive(socket)).toMatchObject({ enable: true, idle: 3000 });
  });

  it('a pending socket that is destroyed before connecting is left alone', async () => {
    const socket = track(new net.Socket());
    setKeepAlive(socket, { idle: 3000 });
    socket.destroy();
    await once(socket, 'close');
    expect(() => setKeepAlive(socket, { idle: 3000 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });
});

describe('listening servers', () => {
  it('accepted connections inherit the listener options (Linux), shown by getsockopt and by ss', async () => {
    const server = await listen();
    setKeepAlive(server, { idle: 11000, interval: 2000, count: 3, userTimeout: 8000 });
    expect(getKeepAlive(server)).toEqual({ enable: true, idle: 11000, interval: 2000, count: 3, userTimeout: 8000 });
    const { accepted } = await connectedPair(server);
    expect(getKeepAlive(accepted)).toEqual({ enable: true, idle: 11000, interval: 2000, count: 3, userTimeout: 8000 });
    const entry = ssOf(accepted);
    expect(entry.timer?.name).toBe('keepalive');
    expect(entry.timer!.expiresMs).toBeGreaterThan(9000);
  });

  it('a listening server reports LISTEN in getTcpInfo', async () => {
    const server = await listen();
    expect(getTcpInfo(server).state).toBe('LISTEN');
  });
});

describe('TLS sockets', () => {
  let cert: TestCert;
  beforeAll(() => {
    cert = makeTestCert();
  });
  afterAll(() => cert.remove());

  it('configures both ends of a TLS connection and a TLS server', async () => {
    const server = track(tls.createServer({ key: cert.key, cert: cert.cert }));
    const secure = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    await listen(server as unknown as net.Server);
    setKeepAlive(server, { idle: 5000 });
    const client = track(tls.connect({ port: portOf(server), host: '127.0.0.1', rejectUnauthorized: false }));
    setKeepAlive(client, { idle: 3000, count: 2 });
    await once(client, 'secureConnect');
    const [accepted] = await secure;
    track(accepted);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 3000, count: 2 });
    expect(getKeepAlive(accepted)).toMatchObject({ enable: true, idle: 5000 });
    setKeepAlive(accepted, { interval: 4000 });
    expect(getKeepAlive(accepted).interval).toBe(4000);
    expect(getTcpInfo(client).state).toBe('ESTABLISHED');
  });
});
