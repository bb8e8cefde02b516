// Pins every assumption lib/node-internals.ts makes about Node's private surface, one test each.
// Runs on Node 20, 22, 24 and 26 (scripts/node-versions.sh runs test/api): a Node upgrade that
// breaks an assumption fails the test named after it.
import * as net from 'node:net';
import * as http2 from 'node:http2';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import * as tls from 'node:tls';
import * as dc from 'node:diagnostics_channel';
import {
  acceptingServer, beforeDestroy, beforeEverySocketConnect, cachedAddresses, clientChannelAtEveryConnect, socketConnectIsNodes, handleFd, handleOf, isProxy, kernelAddresses, lostItsHandle, onEveryConnect,
  serverAppliesNodeKeepAlive, unwrapSetKeepAlive, webSocketHttpServer, wrapSetKeepAlive,
} from '../../lib/node-internals';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';

afterEach(closeAll);

describe(`Node ${process.version}: private surface used by lib/node-internals.ts`, () => {
  it('_handle is null before connect and after destroy, and its fd getter is the descriptor', async () => {
    const fresh = new net.Socket();
    expect(handleOf(fresh)).toBeNull();
    const { client } = await connectedPair();
    const handle = handleOf(client);
    expect(handle).not.toBeNull();
    expect(handleFd(handle!)).toBeGreaterThanOrEqual(0);
    client.destroy();
    expect(handleOf(client)).toBeNull();
  });

  it('a listening server has _handle with an fd; a closed one has none', async () => {
    const server = await listen();
    expect(handleFd(handleOf(server)!)).toBeGreaterThanOrEqual(0);
    server.close();
    expect(handleOf(server)).toBeNull();
  });

  it('handle.getsockname/getpeername read the kernel; _sockname/_peername cache what Node read', async () => {
    const { client } = await connectedPair();
    expect(cachedAddresses(client)).toEqual({ local: undefined, peer: undefined });
    const now = kernelAddresses(handleOf(client)!);
    expect(now?.peer).toMatchObject({ address: '127.0.0.1', port: client.remotePort });
    expect(now?.local).toMatchObject({ address: '127.0.0.1', port: client.localPort });
    expect(cachedAddresses(client).peer).toMatchObject({ address: '127.0.0.1', port: client.remotePort });
  });

  it('the async id symbol tells a socket that lost its handle (sent to a child) from a fresh one', async () => {
    expect(lostItsHandle(new net.Socket())).toBe(false);
    const { client } = await connectedPair();
    expect(lostItsHandle(client)).toBe(false);
    const child = fork('-e', ["process.on('message', (m, s) => { s.destroy(); process.exit(0); })"], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    try {
      await new Promise<void>((done, fail) => child.send('socket', client, (error) => (error ? fail(error) : done())));
      expect(handleOf(client)).toBeNull();
      expect(client.destroyed).toBe(false);
      expect(lostItsHandle(client)).toBe(true);
    } finally {
      child.kill();
    }
  });

  it('a TLS socket over a JavaScript stream has a handle whose fd is -1 while not connecting', () => {
    const socket = tls.connect({ socket: new PassThrough() as unknown as net.Socket });
    socket.on('error', () => {});
    expect(handleFd(handleOf(socket)!)).toBe(-1);
    expect(socket.connecting).toBe(false);
    socket.destroy();
  });

  it("an http2 session's socket is a Proxy", async () => {
    const server = track(http2.createServer());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const session = http2.connect(`http://127.0.0.1:${portOf(server)}`);
    await once(session, 'connect');
    expect(isProxy(session.socket)).toBe(true);
    session.destroy();
  });

  it("server.keepAlive is Node's keepAlive server option", () => {
    expect(serverAppliesNodeKeepAlive(net.createServer({ keepAlive: true }))).toBe(true);
    expect(serverAppliesNodeKeepAlive(net.createServer())).toBe(false);
  });

  it('ws keeps its http server in _server', () => {
    const server = net.createServer();
    expect(webSocketHttpServer({ _server: server })).toBe(server);
  });

  it("emit('connect') then emit('ready') is how Node announces a connection, after its own keepalive call", async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    const seen: string[] = [];
    onEveryConnect(socket, () => seen.push('hook'));
    socket.on('connect', () => seen.push('connect'));
    socket.on('ready', () => seen.push('ready'));
    socket.connect(portOf(server), '127.0.0.1');
    await once(socket, 'ready');
    expect(seen).toEqual(['hook', 'connect', 'ready']);
  });

  it("a failing connect hook destroys the socket and drops Node's 'connect' and 'ready'", async () => {
    const server = await listen();
    const socket = track(new net.Socket());
    const seen: string[] = [];
    onEveryConnect(socket, () => {
      throw Object.assign(new Error('refused'), { code: 'ETEST' });
    });
    for (const event of ['connect', 'ready', 'error', 'close']) socket.on(event, () => seen.push(event));
    const closed = new Promise((done) => socket.on('close', done)); // (events.once rejects on 'error')
    socket.connect(portOf(server), '127.0.0.1');
    await closed;
    expect(seen).toEqual(['error', 'close']);
  });

  it("setKeepAlive's length is what the wrapper copies (2, or 4 with Node's 4-argument form)", async () => {
    const { client } = await connectedPair();
    const nodeLength = net.Socket.prototype.setKeepAlive.length;
    expect([2, 4]).toContain(nodeLength);
    wrapSetKeepAlive(client, (socket, next, args) => Reflect.apply(next, socket, args) as net.Socket);
    expect(client.setKeepAlive.length).toBe(nodeLength);
    const spy = client.setKeepAlive;
    unwrapSetKeepAlive(client);
    expect(client.setKeepAlive).toBe(net.Socket.prototype.setKeepAlive);
    expect(spy).not.toBe(client.setKeepAlive);
  });

  it('_destroy runs while the descriptor is still open', async () => {
    const { client } = await connectedPair();
    let fdInside = -2;
    beforeDestroy(client, (socket) => {
      fdInside = handleFd(handleOf(socket)!) ?? -3;
    });
    client.destroy();
    expect(fdInside).toBeGreaterThanOrEqual(0);
  });

  it('net.client.socket is published by new Socket().connect() and tls.connect() exactly where clientChannelAtEveryConnect() says', async () => {
    const server = await listen();
    const published: net.Socket[] = [];
    const onMessage = (message: unknown): void => {
      published.push((message as { socket: net.Socket }).socket);
    };
    dc.subscribe('net.client.socket', onMessage);
    try {
      const plain = track(new net.Socket().connect(portOf(server), '127.0.0.1'));
      const secure = track(tls.connect({ port: portOf(server), host: '127.0.0.1' }));
      secure.on('error', () => undefined);
      const viaConnect = track(net.connect(portOf(server), '127.0.0.1'));
      await once(plain, 'connect');
      const expected = clientChannelAtEveryConnect();
      expect(published.includes(plain)).toBe(expected);
      expect(published.includes(secure)).toBe(expected);
      expect(published.includes(viaConnect)).toBe(true);
    } finally {
      dc.unsubscribe('net.client.socket', onMessage);
    }
    expect(clientChannelAtEveryConnect('20.20.2')).toBe(false);
    expect(clientChannelAtEveryConnect('22.16.0')).toBe(false);
    expect(clientChannelAtEveryConnect('22.17.0')).toBe(true);
    expect(clientChannelAtEveryConnect('24.2.0')).toBe(true);
    expect(clientChannelAtEveryConnect('26.0.0')).toBe(true);
  });

  it('net.Socket.prototype.connect is an own writable method that every client path calls; socket.server is the accepting server', async () => {
    const server = await listen();
    const accepted = once(server, 'connection');
    const seen: net.Socket[] = [];
    const remove = beforeEverySocketConnect(net.Socket, (socket) => seen.push(socket));
    let plain: net.Socket;
    let secure: tls.TLSSocket;
    let viaConnect: net.Socket;
    try {
      expect(socketConnectIsNodes(net.Socket)).toBe(false);
      plain = track(new net.Socket().connect(portOf(server), '127.0.0.1'));
      secure = track(tls.connect({ port: portOf(server), host: '127.0.0.1' }));
      secure.on('error', () => undefined);
      viaConnect = track(net.connect(portOf(server), '127.0.0.1'));
    } finally {
      remove();
    }
    expect(socketConnectIsNodes(net.Socket)).toBe(true);
    expect(seen).toEqual([plain, secure, viaConnect]);
    const [socket] = (await accepted) as [net.Socket];
    expect(acceptingServer(socket)).toBe(server);
    expect(acceptingServer(plain)).toBeUndefined();
  });
});
