// The preload: `node --require tcp-keepalive/register app.js` or `node --import
// tcp-keepalive/register app.mjs` (NODE_OPTIONS works too) runs keepAliveEverywhere for the whole
// process, configured by the TCP_KEEPALIVE environment variable (grammar in env-options.ts). A
// malformed value prints one message naming the bad part and exits with status 9 (Node's "invalid
// argument") before the application runs. Loaded in a worker thread (workers inherit preloads),
// it configures that thread's sockets too; loaded twice in one thread, it acts once.
import { keepAliveEverywhere, type EverywhereSettings } from './everywhere';
import { ENV_VARIABLE, parseKeepAliveEnv } from './env-options';

const LOADED = Symbol.for('tcp-keepalive.register');
const registry = globalThis as { [LOADED]?: boolean };

function settingsFor(ports: number[] | undefined, clients: boolean, servers: boolean): EverywhereSettings {
  if (!ports) return { clients, servers };
  const wanted = new Set(ports);
  return { clients, servers, filter: (_socket, info) => info.port !== undefined && wanted.has(info.port) };
}

if (!registry[LOADED]) {
  registry[LOADED] = true;
  try {
    const env = parseKeepAliveEnv(process.env[ENV_VARIABLE]);
    keepAliveEverywhere(env.options, settingsFor(env.ports, env.clients, env.servers));
  } catch (error) {
    process.stderr.write(`tcp-keepalive/register: ${(error as Error).message}\n`);
    process.exit(9);
  }
}
