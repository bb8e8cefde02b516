// keepAliveServer on net/http/https/tls/http2 servers: each accepted connection is read back from
// the kernel after all of Node's own calls (including its keepAlive server option).
import * as net from 'node:net';
import * as http from 'node:http';
import * as https from 'node:https';
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { getKeepAlive, keepAliveServer, keptKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { ssByLocalPort } from '../helpers/ss';
import { useTestCert } from '../helpers/tls-cert';
import { OURS, EXPECTED, NODE_OPTION } from './fixtures/values';


const testCert = useTestCert();
afterEach(closeAll);

/** Fetches `/` and resolves with what the request handler read from the server-side socket. */
async function httpRoundTrip(server: http.Server, secure: boolean): Promise<KeepAliveSettings> {
  const seen = new Promise<KeepAliveSettings>((resolve) => {
    server.once('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      resolve(getKeepAlive(req.socket));
      res.end('ok');
    });
  });
  await listen(server);
  const request = secure ? https.get : http.get;
  const req = request({ host: '127.0.0.1', port: portOf(server), ca: testCert().cert, agent: false }, (res) => res.resume());
  req.on('error', () => undefined);
  return seen;
}

async function http2RoundTrip(server: http2.Http2Server | http2.Http2SecureServer, secure: boolean): Promise<KeepAliveSettings> {
  const seen = new Promise<KeepAliveSettings>((resolve) => {
    server.once('stream', (stream: http2.ServerHttp2Stream) => {
      // session.socket is Node's proxy: its methods throw, the descriptor is still reachable.
      resolve(getKeepAlive(stream.session!.socket as net.Socket));
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
  });
  await listen(server as unknown as net.Server);
  const session = http2.connect(`${secure ? 'https' : 'http'}://127.0.0.1:${portOf(server as unknown as net.Server)}`, {
    ca: testCert().cert,
  });
  session.on('error', () => undefined);
  const stream = session.request({ ':path': '/' });
  stream.resume();
  stream.on('error', () => undefined);
  try {
    return await seen;
  } finally {
    await new Promise<void>((resolve) => session.close(() => resolve()));
    await new Promise<void>((resolve) => (server as unknown as net.Server).close(() => resolve()));
  }
}

describe('keepAliveServer', () => {
  it('net: the listener holds the options and accepted sockets inherit them (no Node keepAlive option)', async () => {
    const server = keepAliveServer(net.createServer(), OURS);
    await listen(server);
    expect(getKeepAlive(server)).toEqual(EXPECTED);
    const { accepted } = await connectedPair(server);
    expect(getKeepAlive(accepted)).toEqual(EXPECTED);
    expect(keptKeepAlive(accepted)).toEqual(OURS);
    accepted.setKeepAlive(true, 1000); // later Node/library calls do not undo it
    expect(getKeepAlive(accepted)).toEqual(EXPECTED);
  });

  it("control: Node's keepAlive server option overwrites what accepted sockets inherit", async () => {
    const server = await listen(net.createServer(NODE_OPTION));
    const { setKeepAlive } = await import('../../lib');
    setKeepAlive(server, OURS);
    const { accepted } = await connectedPair(server);
    expect(getKeepAlive(accepted)).toMatchObject({ idle: 2000, interval: 1000, count: 10 });
  });

  it("net with Node's keepAlive option: each accepted socket is configured after Node's call", async () => {
    const server = await listen(net.createServer(NODE_OPTION));
    keepAliveServer(server, OURS); // after listen() this time
    const seen = new Promise<KeepAliveSettings>((resolve) => server.once('connection', (s) => resolve(getKeepAlive(s))));
    const { accepted } = await connectedPair(server);
    expect(await seen).toEqual(EXPECTED);
    // Independent observer: the kernel's keepalive timer runs on our idle, not Node's 2 s.
    const entry = ssByLocalPort(portOf(server)).find((e) => e.peer === `${accepted.remoteAddress}:${accepted.remotePort}`);
    expect(entry?.timer?.name).toBe('keepalive');
    expect(entry!.timer!.expiresMs).toBeGreaterThan(20000);
  });

  it.each([false, true])('http (Node keepAlive option %s)', async (nodeOption) => {
    const server = keepAliveServer(http.createServer(nodeOption ? NODE_OPTION : {}), OURS);
    expect(await httpRoundTrip(server, false)).toEqual(EXPECTED);
  });

  it.each([false, true])('https (Node keepAlive option %s)', async (nodeOption) => {
    const options = { key: testCert().key, cert: testCert().cert, ...(nodeOption ? NODE_OPTION : {}) };
    const server = keepAliveServer(https.createServer(options), OURS);
    expect(await httpRoundTrip(server, true)).toEqual(EXPECTED);
  });

  it('tls with Node keepAlive option: the TLS socket carries the options and keeps them', async () => {
    const server = keepAliveServer(tls.createServer({ key: testCert().key, cert: testCert().cert, ...NODE_OPTION }), OURS);
    const secured = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    await listen(server);
    const client = track(tls.connect({ host: '127.0.0.1', port: portOf(server), ca: testCert().cert }));
    client.on('error', () => undefined);
    const [socket] = await secured;
    track(socket);
    expect(getKeepAlive(socket)).toEqual(EXPECTED);
    socket.setKeepAlive(true, 1000);
    expect(getKeepAlive(socket)).toEqual(EXPECTED);
  });

  it.each([false, true])('http2 cleartext (Node keepAlive option %s)', async (nodeOption) => {
    const server = keepAliveServer(http2.createServer((nodeOption ? NODE_OPTION : {}) as http2.ServerOptions) as unknown as net.Server, OURS);
    expect(await http2RoundTrip(server as unknown as http2.Http2Server, false)).toEqual(EXPECTED);
  });

  it.each([false, true])('http2 secure (Node keepAlive option %s)', async (nodeOption) => {
    const options = { key: testCert().key, cert: testCert().cert, ...(nodeOption ? NODE_OPTION : {}) };
    const server = keepAliveServer(http2.createSecureServer(options) as unknown as net.Server, OURS);
    expect(await http2RoundTrip(server as unknown as http2.Http2SecureServer, true)).toEqual(EXPECTED);
  });

  it('calling it again replaces the options for later connections', async () => {
    const server = keepAliveServer(net.createServer(), OURS);
    await listen(server);
    keepAliveServer(server, { idle: 40000 });
    const { accepted } = await connectedPair(server);
    expect(getKeepAlive(accepted)).toMatchObject({ idle: 40000, interval: 3000, count: 4 });
  });

  it('bad arguments throw typed errors before the server is touched', () => {
    const server = net.createServer();
    expect(() => keepAliveServer(server, { count: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(server.listenerCount('connection')).toBe(0);
    expect(() => keepAliveServer({} as net.Server, OURS)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
