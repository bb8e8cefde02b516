// Issue 12, defect 3: the integrations copied options with `{...options}`, so a class instance
// (getters on its prototype) or non-enumerable own properties were validated as given but kept as
// `{}`: http.get through keepAliveAgent threw inside Node's createConnection (uncaught), a
// keepAliveServer destroyed every accepted connection, every keepAliveUndiciConnect request
// failed. Options must be normalised once at creation and work end to end; nothing may throw
// later inside Node's callbacks.
import * as net from 'node:net';
import * as http from 'node:http';
import { once } from 'node:events';
import diagnosticsChannel from 'node:diagnostics_channel';
import * as undici from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import {
  getKeepAlive,
  keepAliveAgent,
  keepAliveServer,
  keepAliveUndiciConnect,
  keepAliveWebSocketClient,
  keepAliveWebSocketServer,
  type KeepAliveSettings,
} from '../../lib';
import { listen, portOf, track } from '../helpers/sockets';
import { closeAfterEach, delay, ssKeepAliveTimer, within, guardUncaught } from '../helpers/hardening';

// An orphan socket's unhandled 'error' must fail this file, not kill the worker.
guardUncaught();

const open = closeAfterEach();

const VALUES = { idle: 30000, interval: 3000, count: 4, userTimeout: 20000 };
const EXPECTED: KeepAliveSettings = { enable: true, ...VALUES };

/** Getters on the class prototype: no own properties at all. */
class KeepAliveConfig {
  get idle(): number {
    return VALUES.idle;
  }
  get interval(): number {
    return VALUES.interval;
  }
  get count(): number {
    return VALUES.count;
  }
  get userTimeout(): number {
    return VALUES.userTimeout;
  }
}

/** Data fields on a class prototype (not Object.prototype): honoured as well. */
class PrototypeFields {}
Object.assign(PrototypeFields.prototype, VALUES);

function nonEnumerable(): object {
  const options = {};
  for (const [key, value] of Object.entries(VALUES)) Object.defineProperty(options, key, { value, enumerable: false });
  return options;
}

const SHAPES: Array<[string, () => object]> = [
  ['a class instance with prototype getters', () => new KeepAliveConfig()],
  ['a class instance with prototype data fields', () => new PrototypeFields()],
  ['non-enumerable own properties', nonEnumerable],
  ['a frozen plain object (control)', () => Object.freeze({ ...VALUES })],
];

/** Collects uncaught exceptions while `body` runs (Node's callbacks must never throw). */
async function noUncaught<T>(body: () => Promise<T>): Promise<T> {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };
  process.on('uncaughtException', onUncaught);
  try {
    const result = await within(8000, 'the exchange', body());
    await delay(20);
    expect(uncaught).toEqual([]);
    return result;
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}

const okHandler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.end('ok');
};

describe.each(SHAPES)('options given as %s', (_shape, make) => {
  it('keepAliveAgent: http.get succeeds and the request socket holds the options (getKeepAlive and ss)', async () => {
    const server = await listen(http.createServer(okHandler));
    const agent = keepAliveAgent(make() as never);
    open.push({ close: () => agent.destroy() });
    await noUncaught(async () => {
      for (let i = 0; i < 2; i++) {
        const req = http.get({ host: '127.0.0.1', port: portOf(server), agent });
        const [res] = (await once(req, 'response')) as [http.IncomingMessage];
        expect(res.statusCode).toBe(200);
        const socket = req.socket as net.Socket;
        expect(getKeepAlive(socket)).toEqual(EXPECTED);
        // The independent observer: a keepalive timer armed at most idle away (30 s).
        const timer = ssKeepAliveTimer(socket.localPort!, socket.remotePort!);
        expect(timer).not.toBeNull();
        expect(timer!.expiresMs).toBeLessThanOrEqual(VALUES.idle);
        expect(timer!.expiresMs).toBeGreaterThan(VALUES.idle - 10000);
        res.resume();
        await once(res, 'end');
      }
    });
  });

  it('keepAliveServer: accepted connections are configured and none is destroyed', async () => {
    const inHandler: KeepAliveSettings[] = [];
    const server = keepAliveServer(
      http.createServer((req, res) => {
        inHandler.push(getKeepAlive(req.socket));
        res.end('ok');
      }),
      make() as never,
    );
    const accepted: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => accepted.push(socket));
    await listen(server);
    await noUncaught(async () => {
      for (let i = 0; i < 3; i++) {
        const req = http.get({ host: '127.0.0.1', port: portOf(server), agent: false });
        const [res] = (await once(req, 'response')) as [http.IncomingMessage];
        expect(res.statusCode).toBe(200);
        res.resume();
        await once(res, 'end');
      }
    });
    expect(accepted).toHaveLength(3);
    expect(inHandler).toEqual([EXPECTED, EXPECTED, EXPECTED]);
  });

  it('keepAliveServer on a net server with open connections: every accepted socket reads back the options', async () => {
    const server = keepAliveServer(net.createServer(), make() as never);
    const accepted: net.Socket[] = [];
    const errors: unknown[] = [];
    server.on('connection', (socket: net.Socket) => {
      accepted.push(track(socket));
      socket.on('error', (error) => errors.push(error));
    });
    await listen(server);
    await noUncaught(async () => {
      for (let i = 0; i < 3; i++) {
        const client = track(net.connect(portOf(server), '127.0.0.1'));
        await once(client, 'connect');
      }
      await delay(20);
    });
    expect(errors).toEqual([]);
    expect(accepted).toHaveLength(3);
    for (const socket of accepted) {
      expect(socket.destroyed).toBe(false);
      expect(getKeepAlive(socket)).toEqual(EXPECTED);
    }
  });

  it('keepAliveUndiciConnect: requests succeed and each connection holds the options', async () => {
    const server = await listen(http.createServer(okHandler));
    const sockets: net.Socket[] = [];
    const onConnected = (message: unknown): void => {
      sockets.push((message as { socket: net.Socket }).socket);
    };
    diagnosticsChannel.subscribe('undici:client:connected', onConnected);
    const agent = new undici.Agent({ connect: keepAliveUndiciConnect(make() as never) as never });
    open.push(agent);
    try {
      await noUncaught(async () => {
        for (let i = 0; i < 2; i++) {
          const { statusCode, body } = await undici.request(`http://127.0.0.1:${portOf(server)}/`, { dispatcher: agent });
          expect(statusCode).toBe(200);
          expect(await body.text()).toBe('ok');
        }
      });
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:connected', onConnected);
    }
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    for (const socket of sockets) expect(getKeepAlive(socket)).toEqual(EXPECTED);
  });

  it('keepAliveWebSocketServer (noServer) and keepAliveWebSocketClient: both ends hold the options', async () => {
    const wss = keepAliveWebSocketServer(new WebSocketServer({ noServer: true }), make() as never);
    open.push(wss);
    const httpServer = http.createServer();
    httpServer.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket as net.Socket, head, (ws) => wss.emit('connection', ws, request));
    });
    await listen(httpServer);
    const url = `ws://127.0.0.1:${portOf(httpServer)}`;
    const serverSide = new Promise<KeepAliveSettings>((resolve) => {
      wss.once('connection', (_ws, request) => resolve(getKeepAlive(request.socket)));
    });
    const { server, client } = await noUncaught(async () => {
      const ws = new WebSocket(url, { ...keepAliveWebSocketClient(url, make() as never), perMessageDeflate: false });
      ws.on('error', () => undefined);
      open.push(ws);
      const [response] = (await once(ws, 'upgrade')) as [http.IncomingMessage];
      return { server: await serverSide, client: getKeepAlive(response.socket as net.Socket) };
    });
    expect(server).toEqual(EXPECTED);
    expect(client).toEqual(EXPECTED);
  });
});
