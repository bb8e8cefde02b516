// connect / tlsConnect: the configuration is in the kernel when the first 'connect' (and
// 'secureConnect') listener runs, after Node's own keepAlive connect option has been applied.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { connect, getKeepAlive, keptKeepAlive, tlsConnect, type KeepAliveSettings } from '../../lib';
import { closeAll, listen, portOf, track } from '../helpers/sockets';
import { useTestCert } from '../helpers/tls-cert';
import { OURS, EXPECTED, NODE_OPTION } from './fixtures/values';


const testCert = useTestCert();
afterEach(closeAll);

describe('connect', () => {
  it.each([false, true])("'connect' listeners see the configuration (Node keepAlive option %s)", async (nodeOption) => {
    const server = await listen();
    let seen: KeepAliveSettings | undefined;
    const socket = track(
      connect({ host: '127.0.0.1', port: portOf(server), ...(nodeOption ? NODE_OPTION : {}) }, OURS, () => {
        seen = getKeepAlive(socket);
      }),
    );
    await once(socket, 'connect');
    expect(seen).toEqual(EXPECTED);
    socket.setKeepAlive(true, 1000);
    expect(getKeepAlive(socket)).toEqual(EXPECTED);
  });

  it('resolves a host name first, then configures at connect', async () => {
    const server = await listen();
    const socket = track(connect({ host: 'localhost', port: portOf(server), family: 4 }, OURS));
    await once(socket, 'connect');
    expect(getKeepAlive(socket)).toEqual(EXPECTED);
  });

  it('throws on bad options before connecting', () => {
    const before = net.Socket.prototype.connect;
    let connects = 0;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      connects++;
      return Reflect.apply(before, this, args) as net.Socket;
    } as typeof before;
    try {
      expect(() => connect({ port: 1 }, { idle: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      expect(() => tlsConnect({ port: 1 }, { count: 128 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    } finally {
      net.Socket.prototype.connect = before;
    }
    expect(connects).toBe(0);
  });
});

describe('tlsConnect', () => {
  it.each([false, true])("'connect' and 'secureConnect' see the configuration (Node keepAlive option %s)", async (nodeOption) => {
    const server = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }) as net.Server);
    const seen: Record<string, KeepAliveSettings> = {};
    const socket = track(
      tlsConnect(
        { host: '127.0.0.1', port: portOf(server), ca: testCert().cert, ...(nodeOption ? NODE_OPTION : {}) },
        OURS,
        () => {
          seen.secure = getKeepAlive(socket);
        },
      ),
    );
    socket.on('connect', () => {
      seen.connect = getKeepAlive(socket);
    });
    await once(socket, 'secureConnect');
    expect(seen).toEqual({ connect: EXPECTED, secure: EXPECTED });
    expect(keptKeepAlive(socket)).toEqual(OURS);
  });

  it('wraps an already connected socket', async () => {
    const server = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }) as net.Server);
    // Not tracked: Node 20 crashes (SIGSEGV) when the raw socket is destroyed before the TLS
    // socket wrapping it, with or without this package; the TLS socket goes first below.
    const raw = net.connect(portOf(server), '127.0.0.1');
    await once(raw, 'connect');
    const socket = tlsConnect({ socket: raw, ca: testCert().cert, servername: 'localhost' }, OURS);
    try {
      expect(getKeepAlive(socket)).toEqual(EXPECTED);
      await once(socket, 'secureConnect');
      socket.setKeepAlive(true, 1000);
      expect(getKeepAlive(raw)).toEqual(EXPECTED);
    } finally {
      socket.destroy();
      raw.destroy();
    }
  });
});
