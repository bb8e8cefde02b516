// keepAliveAgent: http/https pools whose sockets keep the configuration through Node's connect-time
// call and its setKeepAlive(true, keepAliveMsecs) each time a socket returns to the pool.
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { once } from 'node:events';
import { getKeepAlive, keepAliveAgent, releaseKeepAlive, setKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, listen, portOf } from '../helpers/sockets';
import { useTestCert } from '../helpers/tls-cert';
import { OURS, EXPECTED } from './fixtures/values';


const testCert = useTestCert();
afterEach(closeAll);

interface Exchange {
  socket: net.Socket;
  reused: boolean;
  /** Kernel values of the client socket once the pool has taken it back (after Node's call). */
  pooled: KeepAliveSettings;
}

/** One request through `agent`; resolves when the socket is back in the pool. */
async function exchange(agent: http.Agent, port: number, secure: boolean): Promise<Exchange> {
  const freed = once(agent, 'free') as Promise<[net.Socket]>;
  const request = secure ? https.request : http.request;
  const req = request({ host: '127.0.0.1', port, agent, ca: testCert().cert, path: '/' });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  res.resume();
  const [socket] = await freed;
  // Node's pool listener (registered first) has called socket.setKeepAlive(true, keepAliveMsecs).
  return { socket, reused: req.reusedSocket, pooled: getKeepAlive(socket) };
}

async function server(secure: boolean): Promise<number> {
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.end('ok');
  };
  const created = secure ? https.createServer({ key: testCert().key, cert: testCert().cert }, handler) : http.createServer(handler);
  return portOf(await listen(created));
}

describe.each([false, true])('keepAliveAgent (https: %s)', (secure) => {
  it("control: a plain keepAlive agent's sockets hold Node's values (idle = keepAliveMsecs, 1 s, 10)", async () => {
    const port = await server(secure);
    const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    const first = await exchange(agent, port, secure);
    expect(first.pooled).toMatchObject({ enable: true, idle: 1000, interval: 1000, count: 10 });
    // On reuse Node calls setKeepAlive(true, keepAliveMsecs) again; it reaches the kernel only
    // when the pair differs from Node's cached one, e.g. after keepAliveMsecs changed.
    setKeepAlive(first.socket, OURS);
    expect((await exchange(agent, port, secure)).pooled).toEqual(EXPECTED);
    releaseKeepAlive(first.socket); // without the keeping, Node's next pool call overwrites
    (agent as unknown as { keepAliveMsecs: number }).keepAliveMsecs = 5000;
    expect((await exchange(agent, port, secure)).pooled).toMatchObject({ idle: 5000, interval: 1000, count: 10 });
    agent.destroy();
  });

  it('sockets carry the configuration from connect and across reuse', async () => {
    const port = await server(secure);
    const agent = secure ? keepAliveAgent(OURS, { https: true }) : keepAliveAgent(OURS);
    expect(agent).toBeInstanceOf(secure ? https.Agent : http.Agent);
    const connected = new Promise<KeepAliveSettings>((resolve) => {
      const create = (agent as unknown as { createConnection: (...a: unknown[]) => net.Socket }).createConnection;
      (agent as unknown as { createConnection: unknown }).createConnection = function (...args: unknown[]) {
        const socket = create.apply(this, args);
        socket.once('connect', () => resolve(getKeepAlive(socket)));
        return socket;
      };
    });
    const first = await exchange(agent, port, secure);
    expect(await connected).toEqual(EXPECTED);
    expect(first.pooled).toEqual(EXPECTED);
    const second = await exchange(agent, port, secure);
    expect(second.reused).toBe(true);
    expect(second.socket).toBe(first.socket);
    expect(second.pooled).toEqual(EXPECTED);
    // A pool call that does reach the kernel (the pair differs from Node's cache) is followed by ours.
    (agent as unknown as { keepAliveMsecs: number }).keepAliveMsecs = 5000;
    const third = await exchange(agent, port, secure);
    expect(third.socket).toBe(first.socket);
    expect(third.pooled).toEqual(EXPECTED);
    agent.destroy();
  });

  it("the agent's own options pass through, keepAlive stays on", () => {
    const agent = keepAliveAgent({ idle: 15000 }, { https: secure, agent: { maxSockets: 3, keepAlive: false } } as never) as http.Agent;
    expect(agent.maxSockets).toBe(3);
    expect((agent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect((agent as unknown as { keepAliveMsecs: number }).keepAliveMsecs).toBe(15000);
    agent.destroy();
  });
});

it('keepAliveAgent rejects bad options at creation', () => {
  expect(() => keepAliveAgent({ interval: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  expect(() => keepAliveAgent(OURS, null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
});
