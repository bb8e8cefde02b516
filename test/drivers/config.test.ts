// The README's driver recipes, each run against a real server (PostgreSQL, Redis) or, for drivers
// whose server is not installed, a listener that speaks no protocol: the kernel's values are read
// back on the driver's own socket after all of the driver's own setKeepAlive calls, and ss -tino
// sees the keepalive timer. The socket is found through the policy's filter (node-redis keeps it
// private) or the driver's own property.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { Client, Pool } from 'pg';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import * as mysql from 'mysql2';
import { connect, keepAliveStream, setKeepAlive, type EverywhereHandle } from '../../lib';
import { describeAsRoot } from '../helpers/privileges';
import { freePort, realServersMissing, startPostgres, startRedis, type RealServer } from '../helpers/real-servers';
import { closeAll, listen, portOf } from '../helpers/sockets';
import { OURS, everywhereTo, expectConfigured } from '../helpers/driver-recipes';
import { useTestCert } from '../helpers/tls-cert';

const testCert = useTestCert();
let postgres: RealServer;
let redis: RealServer;
const handles: EverywhereHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) handle.close();
  await closeAll();
});

describeAsRoot('driver recipes against PostgreSQL and Redis (real servers on loopback)', () => {
  beforeAll(async () => {
    const missing = realServersMissing();
    if (missing) throw new Error(missing);
    [postgres, redis] = await Promise.all([
      freePort().then((port) => startPostgres({ host: '127.0.0.1', port })),
      freePort().then((port) => startRedis({ host: '127.0.0.1', port })),
    ]);
  }, 60000);
  afterAll(async () => {
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  const pgConfig = (): object => ({ host: postgres.host, port: postgres.port, user: 'postgres', database: 'postgres' });

  it('pg Client and Pool: stream: keepAliveStream(...), through pg keepAlive: true', async () => {
    const client = new Client({ ...pgConfig(), keepAlive: true, keepAliveInitialDelayMillis: 1000, stream: keepAliveStream(OURS) });
    await client.connect();
    const pool = new Pool({ ...pgConfig(), keepAlive: true, stream: keepAliveStream(OURS) });
    const pooled = await pool.connect();
    try {
      await client.query('SELECT 1');
      await pooled.query('SELECT 1');
      const streamOf = (c: unknown): net.Socket => (c as { connection: { stream: net.Socket } }).connection.stream;
      expectConfigured(streamOf(client));
      expectConfigured(streamOf(pooled));
    } finally {
      pooled.release();
      await Promise.all([client.end(), pool.end()]);
    }
  });

  it('pg Client and Pool: keepAliveEverywhere', async () => {
    const { sockets, handle } = everywhereTo(postgres.port);
    handles.push(handle);
    const client = new Client({ ...pgConfig(), keepAlive: true });
    await client.connect();
    const pool = new Pool(pgConfig());
    try {
      await Promise.all([client.query('SELECT 1'), pool.query('SELECT 1')]);
      expect(sockets).toHaveLength(2);
      sockets.forEach(expectConfigured);
    } finally {
      await Promise.all([client.end(), pool.end()]);
    }
  });

  it("ioredis: setKeepAlive(redis.stream, ...) at 'connect', after ioredis' own 30 s setKeepAlive", async () => {
    const client = new IORedis({ host: redis.host, port: redis.port, lazyConnect: true });
    client.on('connect', () => setKeepAlive(client.stream, OURS));
    try {
      await client.connect();
      await client.ping();
      expectConfigured(client.stream);
    } finally {
      client.disconnect();
    }
  });

  it('ioredis and node-redis: keepAliveEverywhere', async () => {
    const { sockets, handle } = everywhereTo(redis.port);
    handles.push(handle);
    const io = new IORedis({ host: redis.host, port: redis.port });
    const node = createClient({ socket: { host: redis.host, port: redis.port } });
    node.on('error', () => undefined);
    try {
      await Promise.all([io.ping(), node.connect().then(() => node.ping())]);
      expect(sockets).toHaveLength(2);
      expect(sockets).toContain(io.stream);
      sockets.forEach(expectConfigured);
    } finally {
      io.disconnect();
      node.destroy();
    }
  });
});

describe('driver recipes against listeners that speak no protocol', () => {
  it('node-redis over TLS: keepAliveEverywhere (tls.connect ignores keepAlive on Node 20/22)', async () => {
    const server = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }));
    const secured = once(server, 'secureConnection');
    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const client = createClient({ socket: { host: '127.0.0.1', port: portOf(server), tls: true, ca: testCert().cert, reconnectStrategy: false } });
    client.on('error', () => undefined);
    const connecting = client.connect().catch(() => undefined);
    try {
      await secured;
      await new Promise((resolve) => setTimeout(resolve, 100)); // node-redis' first command acknowledged
      expect(sockets).toHaveLength(1);
      expect(sockets[0]).toBeInstanceOf(tls.TLSSocket);
      expectConfigured(sockets[0]);
    } finally {
      client.destroy();
      await connecting;
    }
  });

  it('mysql2 connection and pool: stream: () => connect(...), and keepAliveEverywhere', async () => {
    const server = await listen();
    const accepted = (): Promise<unknown> => once(server, 'connection');
    const silent = { host: '127.0.0.1', port: portOf(server), connectTimeout: 60000 };
    // The recipe: mysql2 takes a connecting socket (enableKeepAlive, on by default, then writes 2 h idle).
    const first = accepted();
    const recipe = mysql.createConnection({ ...silent, stream: () => connect({ host: '127.0.0.1', port: portOf(server) }, OURS) });
    recipe.on('error', () => undefined);
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expectConfigured((recipe as unknown as { stream: net.Socket }).stream);
    recipe.destroy();

    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const second = accepted();
    const pool = mysql.createPool(silent);
    pool.getConnection(() => undefined);
    await second;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sockets).toHaveLength(1);
    expectConfigured(sockets[0]);
    sockets[0].destroy();
    await pool.promise().end().catch(() => undefined);
  });
});
