// The libuv-loop lookup that Windows needs (Node reports fd -1 there) is the same code on every
// platform, so it is checked here against the real descriptors Node exposes on Linux.
import * as net from 'node:net';
import { once } from 'node:events';
import { locate as locateNative } from '../../lib/native';
import { connectedPair, closeAll, listen, track } from '../helpers/sockets';

afterEach(closeAll);

const fdOf = (target: net.Socket | net.Server): number => (target as unknown as { _handle: { fd: number } })._handle.fd;

function locate(local: string, localPort: number, peer: string | null, peerPort: number): number | null {
  return locateNative(local, localPort, peer, peerPort) ?? null;
}

function locateSocket(socket: net.Socket): number | null {
  return locate(socket.localAddress!, socket.localPort!, socket.remoteAddress!, socket.remotePort!);
}

function locateServer(server: net.Server): number | null {
  const address = server.address() as net.AddressInfo;
  return locate(address.address, address.port, null, 0);
}

describe('locate (uv_walk over the loop, matched by address)', () => {
  it('finds the client, the accepted socket and the listener: the same fds Node reports', async () => {
    const { server, client, accepted } = await connectedPair();
    expect(locateSocket(client)).toBe(fdOf(client));
    expect(locateSocket(accepted)).toBe(fdOf(accepted));
    expect(locateServer(server)).toBe(fdOf(server));
    // The three are distinct sockets.
    expect(new Set([fdOf(client), fdOf(accepted), fdOf(server)]).size).toBe(3);
  });

  it('a listener search never returns an accepted socket that shares its local address', async () => {
    const server = await listen();
    const pairs = await Promise.all([connectedPair(server), connectedPair(server), connectedPair(server)]);
    for (const { accepted } of pairs) expect(accepted.localPort).toBe((server.address() as net.AddressInfo).port);
    expect(locateServer(server)).toBe(fdOf(server));
  });

  it('tells apart many connections to the same listener by their peer address', async () => {
    const server = await listen();
    const pairs = [];
    for (let i = 0; i < 20; i++) pairs.push(await connectedPair(server));
    for (const { client, accepted } of pairs) {
      expect(locateSocket(client)).toBe(fdOf(client));
      expect(locateSocket(accepted)).toBe(fdOf(accepted));
    }
  });

  it('stays right when fds (and handle memory) of closed sockets are reused by new connections', async () => {
    const server = await listen();
    const first = [];
    for (let i = 0; i < 10; i++) first.push(await connectedPair(server));
    for (const { client } of first) expect(locateSocket(client)).toBe(fdOf(client)); // index filled
    const oldFds = new Set(first.map(({ client }) => fdOf(client)));
    for (const { client, accepted } of first) {
      client.destroy();
      accepted.destroy();
      await once(client, 'close');
    }
    const second = [];
    for (let i = 0; i < 10; i++) second.push(await connectedPair(server));
    // Descriptor numbers are handed out again, so stale index entries would point at new sockets.
    expect(second.some(({ client }) => oldFds.has(fdOf(client)))).toBe(true);
    for (const { client, accepted } of second) {
      expect(locateSocket(client)).toBe(fdOf(client));
      expect(locateSocket(accepted)).toBe(fdOf(accepted));
    }
  });

  it('works over IPv6 loopback', async () => {
    const server = await listen(net.createServer(), '::1');
    const client = track(net.connect((server.address() as net.AddressInfo).port, '::1'));
    const [accepted] = (await Promise.all([once(server, 'connection'), once(client, 'connect')]))[0] as [net.Socket];
    expect(client.remoteAddress).toBe('::1');
    expect(locateSocket(client)).toBe(fdOf(client));
    expect(locateSocket(accepted)).toBe(fdOf(accepted));
    expect(locateServer(server)).toBe(fdOf(server));
  });

  it('finds nothing for addresses no handle has, nor for a socket after destroy()', async () => {
    const { client } = await connectedPair();
    expect(locate('127.0.0.1', client.localPort!, '127.0.0.1', 1)).toBeNull();
    expect(locate('not an address', 1, null, 0)).toBeNull();
    const [local, localPort, remote, remotePort] = [client.localAddress!, client.localPort!, client.remoteAddress!, client.remotePort!];
    client.destroy();
    await once(client, 'close');
    expect(locate(local, localPort, remote, remotePort)).toBeNull();
  });
});
