// ws servers and clients: the upgraded sockets on both sides are read back from the kernel.
import * as http from 'node:http';
import type * as net from 'node:net';
import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import { getKeepAlive, keepAliveWebSocketClient, keepAliveWebSocketServer, type KeepAliveSettings } from '../../lib';
import { closeAll, listen, portOf } from '../helpers/sockets';
import { OURS, EXPECTED } from './fixtures/values';

const open: Array<WebSocket | WebSocketServer> = [];

afterEach(async () => {
  for (const item of open.splice(0)) item.close();
  await closeAll();
});

/** Connects a client and resolves with the kernel values of both ends once the upgrade is done. */
async function exchange(
  wss: WebSocketServer,
  url: string,
  clientOptions: WebSocket.ClientOptions = {},
): Promise<{ server: KeepAliveSettings; client: KeepAliveSettings }> {
  const serverSide = new Promise<KeepAliveSettings>((resolve) => {
    wss.once('connection', (_ws, request) => resolve(getKeepAlive(request.socket)));
  });
  const client = new WebSocket(url, clientOptions);
  client.on('error', () => undefined);
  open.push(client);
  const upgraded = once(client, 'upgrade') as Promise<[http.IncomingMessage]>;
  const opened = once(client, 'open'); // emitted in the same tick as 'upgrade'
  const [response] = await upgraded;
  await opened;
  const clientSocket = response.socket as net.Socket;
  return { server: await serverSide, client: getKeepAlive(clientSocket) };
}

describe('ws', () => {
  it('a WebSocketServer with its own port: accepted sockets carry the options (listener inheritance)', async () => {
    const wss = keepAliveWebSocketServer(new WebSocketServer({ port: 0, host: '127.0.0.1' }), OURS);
    open.push(wss);
    await once(wss, 'listening');
    const port = (wss.address() as net.AddressInfo).port;
    const { server } = await exchange(wss, `ws://127.0.0.1:${port}`);
    expect(server).toEqual(EXPECTED);
  });

  it('a WebSocketServer on an http server with Node keepAlive option, and a keepAlive client', async () => {
    const httpServer = http.createServer({ keepAlive: true, keepAliveInitialDelay: 2000 });
    const wss = keepAliveWebSocketServer(new WebSocketServer({ server: httpServer }), OURS);
    open.push(wss);
    await listen(httpServer);
    const url = `ws://127.0.0.1:${portOf(httpServer)}`;
    const result = await exchange(wss, url, keepAliveWebSocketClient(url, { idle: 40000, count: 5 }));
    expect(result.server).toEqual(EXPECTED);
    expect(result.client).toMatchObject({ enable: true, idle: 40000, interval: 1000, count: 5 });
  });

  it('a noServer WebSocketServer configures each upgraded socket', async () => {
    const wss = keepAliveWebSocketServer(new WebSocketServer({ noServer: true }), OURS);
    open.push(wss);
    const httpServer = http.createServer({ keepAlive: true, keepAliveInitialDelay: 2000 });
    httpServer.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket as net.Socket, head, (ws) => wss.emit('connection', ws, request));
    });
    await listen(httpServer);
    const url = `ws://127.0.0.1:${portOf(httpServer)}`;
    const seen = new Promise<KeepAliveSettings>((resolve) =>
      wss.on('connection', (_ws, request) => resolve(getKeepAlive(request.socket))),
    );
    const client = new WebSocket(url);
    client.on('error', () => undefined);
    open.push(client);
    expect(await seen).toEqual(EXPECTED);
  });

  it('client options for wss:// carry an https agent', () => {
    const { agent } = keepAliveWebSocketClient('wss://127.0.0.1:1', OURS);
    expect(agent.constructor.name).toBe('Agent');
    expect((agent as unknown as { protocol: string }).protocol).toBe('https:');
    agent.destroy();
  });

  it('bad arguments throw typed errors', () => {
    expect(() => keepAliveWebSocketServer({} as never, OURS)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    const wss = new WebSocketServer({ noServer: true });
    expect(() => keepAliveWebSocketServer(wss, { userTimeout: -5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(wss.listenerCount('connection')).toBe(0);
    expect(() => keepAliveWebSocketClient('ws://x', { idle: 'x' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
