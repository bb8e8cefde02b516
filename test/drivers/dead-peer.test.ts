// A dead server path under the preload, with real servers: PostgreSQL and Redis run in namespace b,
// an unmodified app (pg Client and Pool, ioredis, node-redis) runs in namespace a under
// `TCP_KEEPALIVE=idle=2s,interval=1s,count=2 node --require tcp-keepalive/register`; then the path
// is cut both ways, silently (a NAT that forgot the mapping). Both ways: with only a's packets
// dropped, detection was once seen at 10.9 s instead of 4 s, most likely because a delayed ACK lost
// in the cut made the server retransmit its last reply, each copy restarting a's keepalive clock. Asserted: what each driver
// surfaces to the application, and when. Idle connections: the keepalive bound idle + interval x
// count = 4 s. A query written into the dead path (keepalive stops probing once data is
// unacknowledged): the derived userTimeout, 4 s. Without the package none of these fail within 60 s
// (docs in /work/shared/reference/ecosystem.md, measured on the same drivers).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { PACKAGE_ROOT } from '../helpers/agent';
import { withTopology } from '../helpers/netns';
import { describeAsRoot } from '../helpers/privileges';
import { realServersMissing, startPostgres, startRedis } from '../helpers/real-servers';

const APP = join(__dirname, 'fixtures', 'dead-peer-app.js');
const BOUND_MS = 4000;

interface Surfaced {
  what: string;
  code?: string;
  ms: number;
}

const EXPECTED = [
  'pg Client idle: error event',
  'pg Pool in flight: query rejected',
  'ioredis idle: error event',
  'ioredis in flight: command rejected',
  'node-redis idle: error event',
];

describeAsRoot('dead server path, real PostgreSQL and Redis, app under the preload', () => {
  it('pg, ioredis and node-redis surface the dead path within the configured bound', async () => {
    const missing = realServersMissing();
    if (missing) throw new Error(missing);
    await withTopology({ router: false }, async (t) => {
      const where = { host: t.b.address, namespace: t.b.ns.name };
      const servers = await Promise.all([startPostgres({ ...where, port: 5432 }), startRedis({ ...where, port: 6379 })]);
      const app = spawn('ip', ['netns', 'exec', t.a.ns.name, process.execPath, '--require', 'tcp-keepalive/register', APP], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, TCP_KEEPALIVE: 'idle=2s,interval=1s,count=2', PG_HOST: t.b.address, PG_PORT: '5432', REDIS_PORT: '6379' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      app.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const surfaced: Surfaced[] = [];
      try {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out; surfaced ${JSON.stringify(surfaced)}; ${stderr}`)), 25000);
          app.on('exit', (code) => reject(new Error(`app exited (${code}): ${stderr}`)));
          readline.createInterface({ input: app.stdout }).on('line', (line) => {
            const message = JSON.parse(line) as Surfaced & { ready?: boolean };
            if (message.ready) {
              t.cut('partition');
              app.stdin.write('cut\n');
              return;
            }
            surfaced.push(message);
            if (EXPECTED.every((what) => surfaced.some((s) => s.what === what))) resolve();
          });
        }).finally(() => clearTimeout(timer));
      } finally {
        app.kill('SIGKILL');
        await Promise.all(servers.map((server) => server.stop()));
      }
      console.log(`dead path, ms after the cut (bound ${BOUND_MS} ms):\n${surfaced.map((s) => `  ${s.what}: ${s.code} at ${s.ms}`).join('\n')}`);
      for (const what of EXPECTED) {
        const first = surfaced.find((s) => s.what === what)!;
        // The kernel's verdict, as the driver passes it on (ioredis: its own message for the command).
        if (what !== 'ioredis in flight: command rejected') expect({ what, code: first.code }).toEqual({ what, code: 'ETIMEDOUT' });
        expect(first.ms).toBeGreaterThan(BOUND_MS - 1500);
        expect(first.ms).toBeLessThan(BOUND_MS + 4000);
      }
    });
  }, 60000);
});
