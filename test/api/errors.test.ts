// Every error path: typed, before any syscall, never half-applied.
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setKeepAlive, getKeepAlive, getTcpInfo } from '../../lib';
import { connectedPair, closeAll, listen, track } from '../helpers/sockets';

afterEach(closeAll);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('argument types', () => {
  it.each([[undefined], [null], [{}], ['socket'], [42], [new net.BlockList()]])(
    'a target of %p is ERR_INVALID_ARG_TYPE for every function',
    (target) => {
      for (const fn of [
        () => setKeepAlive(target as never, { idle: 1000 }),
        () => getKeepAlive(target as never),
        () => getTcpInfo(target as never),
      ]) {
        expect(fn).toThrow(TypeError);
        expect(codeOf(fn)).toBe('ERR_INVALID_ARG_TYPE');
      }
    },
  );

  it.each([[undefined], [null], [5], ['idle'], [[1000]], [() => 1]])('options of %p are ERR_INVALID_ARG_TYPE', async (options) => {
    const { client } = await connectedPair();
    expect(() => setKeepAlive(client, options as never)).toThrow(TypeError);
    expect(codeOf(() => setKeepAlive(client, options as never))).toBe('ERR_INVALID_ARG_TYPE');
  });

  it.each([
    [{ enable: 1 }, 'options.enable'],
    [{ enable: 'yes' }, 'options.enable'],
    [{ idle: '1000' }, 'options.idle'],
    [{ interval: 1000n }, 'options.interval'],
    [{ count: true }, 'options.count'],
    [{ userTimeout: null }, 'options.userTimeout'],
  ])('%p is ERR_INVALID_ARG_TYPE naming %s', async (options, name) => {
    const { client } = await connectedPair();
    expect(() => setKeepAlive(client, options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining(name) }));
  });
});

describe('option values', () => {
  it.each([['intervall', 'interval'], ['idleTime', 'idle'], ['keepCount', 'count'], ['user_timeout', 'userTimeout']])(
    'an unknown key %s is ERR_INVALID_ARG_VALUE suggesting %s',
    async (key, suggestion) => {
      const { client } = await connectedPair();
      const call = (): void => setKeepAlive(client, { [key]: 1000 } as never);
      expect(call).toThrow(TypeError);
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining(`"${suggestion}"`) }));
    },
  );

  it('an options object that sets nothing is ERR_INVALID_ARG_VALUE, not a silent no-op', async () => {
    const { client } = await connectedPair();
    expect(codeOf(() => setKeepAlive(client, {}))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => setKeepAlive(client, { idle: undefined }))).toBe('ERR_INVALID_ARG_VALUE');
  });

  it.each([
    [{ idle: NaN }, 'idle', '32767000'],
    [{ idle: -1 }, 'idle', '32767000'],
    [{ idle: 0 }, 'idle', '32767000'],
    [{ idle: 32_767_001 }, 'idle', '32767 s'],
    [{ idle: Infinity }, 'idle', '32767000'],
    [{ interval: -Infinity }, 'interval', '32767000'],
    [{ interval: 0 }, 'interval', '32767000'],
    [{ interval: 40_000_000 }, 'interval', '32767 s'],
    [{ count: 0 }, 'count', '127'],
    [{ count: 128 }, 'count', '127'],
    [{ count: 2.5 }, 'count', 'integer'],
    [{ count: NaN }, 'count', '127'],
    [{ userTimeout: -1 }, 'userTimeout', '2147483647'],
    [{ userTimeout: 2 ** 31 }, 'userTimeout', '2147483647'],
    [{ userTimeout: NaN }, 'userTimeout', '2147483647'],
  ])('%p is a RangeError ERR_OUT_OF_RANGE naming the limit', async (options, name, limit) => {
    const { client } = await connectedPair();
    const call = (): void => setKeepAlive(client, options);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(call).toThrow(new RegExp(`"options\\.${name}".*${limit.replace('.', '\\.')}`));
  });

  it('validates everything before the first syscall: a bad option leaves the socket untouched', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    expect(() => setKeepAlive(client, { enable: true, idle: 5000, interval: 2000, count: 500 })).toThrow(RangeError);
    expect(() => setKeepAlive(client, { idle: 5000, userTimeout: -5 })).toThrow(RangeError);
    expect(getKeepAlive(client)).toEqual(before);
  });
});

describe('closed sockets and servers', () => {
  it('a destroyed socket is ERR_SOCKET_CLOSED for every function', async () => {
    const { client } = await connectedPair();
    client.destroy();
    expect(codeOf(() => setKeepAlive(client, { idle: 1000 }))).toBe('ERR_SOCKET_CLOSED');
    expect(codeOf(() => getKeepAlive(client))).toBe('ERR_SOCKET_CLOSED');
    expect(codeOf(() => getTcpInfo(client))).toBe('ERR_SOCKET_CLOSED');
  });

  it('a socket closed by its peer and then by Node is ERR_SOCKET_CLOSED', async () => {
    const { client, accepted } = await connectedPair();
    accepted.destroy();
    await once(client, 'close');
    expect(codeOf(() => getKeepAlive(client))).toBe('ERR_SOCKET_CLOSED');
  });

  it('a server that never listened, or stopped listening, is ERR_SOCKET_CLOSED', async () => {
    const idle = net.createServer();
    expect(codeOf(() => setKeepAlive(idle, { idle: 1000 }))).toBe('ERR_SOCKET_CLOSED');
    const server = await listen();
    server.close();
    expect(codeOf(() => setKeepAlive(server, { idle: 1000 }))).toBe('ERR_SOCKET_CLOSED');
    expect(codeOf(() => getKeepAlive(server))).toBe('ERR_SOCKET_CLOSED');
  });

  it('a socket that has not connected yet cannot be read: ERR_SOCKET_NOT_CONNECTED', () => {
    const socket = new net.Socket();
    expect(codeOf(() => getKeepAlive(socket))).toBe('ERR_SOCKET_NOT_CONNECTED');
    expect(codeOf(() => getTcpInfo(socket))).toBe('ERR_SOCKET_NOT_CONNECTED');
  });
});

describe('non-TCP handles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpka-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an IPC (Unix socket) connection and its server are ERR_INVALID_ARG_TYPE', async () => {
    const path = join(dir, 'ipc.sock');
    const server = track(net.createServer((s) => track(s)).listen(path));
    await once(server, 'listening');
    const client = track(net.connect(path));
    await once(client, 'connect');
    for (const target of [client, server]) {
      expect(codeOf(() => setKeepAlive(target, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(codeOf(() => getKeepAlive(target))).toBe('ERR_INVALID_ARG_TYPE');
      expect(codeOf(() => getTcpInfo(target))).toBe('ERR_INVALID_ARG_TYPE');
    }
  });

  it('a UDP socket is ERR_INVALID_ARG_TYPE', async () => {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    try {
      expect(codeOf(() => setKeepAlive(udp as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
      expect(codeOf(() => getKeepAlive(udp as never))).toBe('ERR_INVALID_ARG_TYPE');
    } finally {
      udp.close();
    }
  });

  it('a pending socket that ends up connecting to a Unix socket gets a typed error event, not a crash', async () => {
    const path = join(dir, 'late.sock');
    const server = track(net.createServer((s) => track(s)).listen(path));
    await once(server, 'listening');
    const socket = track(new net.Socket());
    setKeepAlive(socket, { idle: 2000 });
    const connected = jest.fn();
    socket.on('connect', connected);
    socket.connect(path);
    const [error] = (await once(socket, 'error')) as [Error & { code: string }];
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(connected).not.toHaveBeenCalled();
    expect(socket.destroyed).toBe(true);
  });
});
