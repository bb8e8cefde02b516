// undici connect hook: every connection of an Agent (request, fetch, the global dispatcher) is
// read back from the kernel after undici's own setKeepAlive(true, 60 s) and Node's connect call.
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import diagnosticsChannel from 'node:diagnostics_channel';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as undici from 'undici';
import { getKeepAlive, keepAliveUndiciConnect, type KeepAliveSettings } from '../../lib';
import { closeAll, listen, portOf } from '../helpers/sockets';
import { makeTestCert, type TestCert } from '../helpers/tls-cert';
import { OURS, EXPECTED } from './fixtures/values';


let cert: TestCert;
let origin: string;
let secureOrigin: string;
// undici publishes every new connection on this public channel, after the connector's callback.
const connected: net.Socket[] = [];
const onConnected = (message: unknown): void => {
  connected.push((message as { socket: net.Socket }).socket);
};

beforeAll(async () => {
  cert = makeTestCert();
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.end('ok');
  };
  origin = `http://127.0.0.1:${portOf(await listen(http.createServer(handler)))}`;
  secureOrigin = `https://127.0.0.1:${portOf(await listen(https.createServer({ key: cert.key, cert: cert.cert }, handler)))}`;
  diagnosticsChannel.subscribe('undici:client:connected', onConnected);
});
afterAll(async () => {
  diagnosticsChannel.unsubscribe('undici:client:connected', onConnected);
  await closeAll();
  cert.remove();
});
beforeEach(() => {
  connected.length = 0;
});

/** Two requests; returns the kernel values of each connection made so far, read after each. */
async function twoRequests(dispatcher: undici.Dispatcher, url: string): Promise<KeepAliveSettings[]> {
  const seen: KeepAliveSettings[] = [];
  for (let i = 0; i < 2; i++) {
    const { body } = await undici.request(url, { dispatcher });
    await body.text();
    expect(connected.length).toBeGreaterThanOrEqual(1);
    for (const socket of connected) if (!socket.destroyed) seen.push(getKeepAlive(socket));
  }
  return seen;
}

function expectAll(seen: KeepAliveSettings[]): void {
  expect(seen.length).toBeGreaterThanOrEqual(2);
  for (const settings of seen) expect(settings).toEqual(EXPECTED);
}

describe('keepAliveUndiciConnect', () => {
  it("control: undici's own connector leaves idle 60 s, Node's 1 s interval and 10 probes", async () => {
    const agent = new undici.Agent();
    const [first] = await twoRequests(agent, origin);
    expect(first).toMatchObject({ enable: true, idle: 60000, interval: 1000, count: 10 });
    await agent.close();
  });

  it('an Agent built with it gives every connection the configuration (http)', async () => {
    const agent = new undici.Agent({ connect: keepAliveUndiciConnect(OURS) });
    expectAll(await twoRequests(agent, origin));
    await agent.close();
  });

  it('a Pool built with it gives every connection the configuration', async () => {
    const pool = new undici.Pool(origin, { connect: keepAliveUndiciConnect(OURS) });
    expectAll(await twoRequests(pool, origin));
    await pool.close();
  });

  it('passes TLS connect options to undici (https)', async () => {
    const agent = new undici.Agent({ connect: keepAliveUndiciConnect(OURS, { ca: cert.cert }) });
    expectAll(await twoRequests(agent, secureOrigin));
    await agent.close();
  });

  it('wraps a connector of your own', async () => {
    const own = undici.buildConnector({});
    let calls = 0;
    const counting: typeof own = (options, callback) => {
      calls++;
      return own(options, callback);
    };
    const agent = new undici.Agent({ connect: keepAliveUndiciConnect(OURS, counting as never) as never });
    expectAll(await twoRequests(agent, origin));
    expect(calls).toBe(connected.length);
    await agent.close();
  });

  it("fetch through undici's global dispatcher", async () => {
    const previous = undici.getGlobalDispatcher();
    const agent = new undici.Agent({ connect: keepAliveUndiciConnect(OURS) });
    undici.setGlobalDispatcher(agent);
    try {
      const response = await undici.fetch(origin);
      expect(await response.text()).toBe('ok');
      expect(connected).toHaveLength(1);
      expect(getKeepAlive(connected[0])).toEqual(EXPECTED);
    } finally {
      undici.setGlobalDispatcher(previous);
      await agent.close();
    }
  });

  it("Node's built-in fetch through undici's setGlobalDispatcher (child process)", () => {
    const root = join(__dirname, '..', '..');
    const out = execFileSync(
      process.execPath,
      ['-r', join(root, 'test/helpers/ts-register.js'), join(__dirname, 'fixtures/global-fetch.js'), JSON.stringify(OURS)],
      { cwd: root, encoding: 'utf8', timeout: 20000 },
    );
    expect(JSON.parse(out)).toEqual({ body: 'ok', connections: 1, kernel: EXPECTED });
  });

  it('bad options and connect arguments throw at creation', () => {
    expect(() => keepAliveUndiciConnect({ idle: 1e12 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => keepAliveUndiciConnect(OURS, 42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('optional peers', () => {
  it('loading the package never loads undici or ws; a helper that needs undici says so', () => {
    jest.isolateModules(() => {
      jest.doMock('undici', () => {
        throw new Error('undici was loaded');
      });
      jest.doMock('ws', () => {
        throw new Error('ws was loaded');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require('../../lib') as typeof import('../../lib');
      expect(typeof lib.keepAliveUndiciConnect(OURS, () => undefined)).toBe('function');
      expect(typeof lib.keepAliveWebSocketServer).toBe('function');
      expect(() => lib.keepAliveUndiciConnect(OURS)).toThrow(
        expect.objectContaining({ code: 'MODULE_NOT_FOUND', message: expect.stringContaining('npm install undici') }),
      );
    });
    jest.dontMock('undici');
    jest.dontMock('ws');
  });
});
