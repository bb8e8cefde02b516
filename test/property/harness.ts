// Shared by the property files: the seed (fixed in CI, random otherwise, always printed on a
// failure), the number of runs, the live sockets every case reuses, and cheap checks.
import * as fc from 'fast-check';
import * as net from 'node:net';
import { once } from 'node:events';
import { types } from 'node:util';
import { getKeepAlive, type KeepAliveSettings } from '../../lib';
import { HostileError, type Live } from './arbitraries';

/**
 * FC_SEED reproduces a run. CI (CI set) uses a fixed seed so every CI run checks the same cases;
 * elsewhere each run draws a new seed (printed with any failure, with the shrunk counterexample).
 */
export const SEED: number =
  process.env.FC_SEED !== undefined && process.env.FC_SEED !== ''
    ? Number(process.env.FC_SEED)
    : process.env.CI
      ? 0x7c9a11
      : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

/** FC_RUNS_SCALE multiplies every property's run count (e.g. 0.1 for a quick local pass). */
export function runs(base: number): number {
  const scale = Number(process.env.FC_RUNS_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Per property test: generous, since a shared CI machine may run them several times slower. */
export const PROPERTY_TIMEOUT = 180_000;

/** Cases checked so far in this process, per property (for the report line). */
export const tally: Record<string, number> = {};

/** fc.assert with the suite's seed; on failure the error names the seed and how to rerun it. */
export function check<T>(name: string, property: fc.IProperty<T>, numRuns: number): void {
  let cases = 0;
  const started = Date.now();
  try {
    fc.assert(property, {
      seed: SEED,
      numRuns,
      endOnFailure: false,
      reporter: (details) => {
        cases = details.numRuns;
        if (details.failed) {
          throw new Error(
            `property "${name}" failed (reproduce with FC_SEED=${SEED}):\n${fc.defaultReportMessage(details) ?? 'no report'}\n` +
              `Failure: ${describeError(details.errorInstance)}`,
          );
        }
      },
    });
  } finally {
    tally[name] = cases;
    if (process.env.FC_VERBOSE) {
      process.stdout.write(`property ${name}: ${cases} cases in ${Date.now() - started} ms (seed ${SEED})\n`);
    }
  }
}

/** One line per file for the CI log: cases run per property and the seed. Call in afterAll. */
export function reportTally(file: string, startedAt: number): void {
  const total = Object.values(tally).reduce((sum, n) => sum + n, 0);
  process.stdout.write(`${file}: ${total} property cases in ${Date.now() - startedAt} ms, seed ${SEED} (FC_SEED=${SEED} to reproduce)\n`);
}

/** A failed invariant (plain Error: cheaper than expect() on ~10^5 cases). */
export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message());
}

export function describeError(error: unknown): string {
  try {
    // isNativeError: errors made by the package's realm are not `instanceof Error` in jest's.
    if (types.isNativeError(error)) {
      return `${error.name} ${JSON.stringify((error as { code?: unknown }).code)}: ${error.message}`;
    }
    return `non-error thrown: ${typeof error}`;
  } catch {
    return 'an unprintable error';
  }
}

/** Every error thrown out of the package has a string code (a hostile getter's error included). */
export function coded(error: unknown): boolean {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return false;
  if (error instanceof HostileError) return false;
  try {
    return typeof (error as { code?: unknown }).code === 'string';
  } catch {
    return false;
  }
}

export function sameSettings(a: KeepAliveSettings, b: KeepAliveSettings): boolean {
  return a.enable === b.enable && a.idle === b.idle && a.interval === b.interval && a.count === b.count && a.userTimeout === b.userTimeout;
}

export interface Context {
  live: Live;
  close(): Promise<void>;
}

/** A listening server, one connected pair, a never-connected socket and a destroyed one. */
export async function makeContext(): Promise<Context> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [serverSide] = await accepted;
  for (const socket of [client, serverSide]) socket.on('error', () => undefined);
  const destroyed = new net.Socket();
  destroyed.destroy();
  const pending = new net.Socket();
  pending.on('error', () => undefined);
  return {
    live: { client, accepted: serverSide, server, pending, destroyed },
    async close() {
      client.destroy();
      serverSide.destroy();
      pending.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The kernel state of the live objects that have one. */
export interface KernelState {
  client: KeepAliveSettings;
  accepted: KeepAliveSettings;
  server: KeepAliveSettings;
}

export function readKernel(live: Live): KernelState {
  return { client: getKeepAlive(live.client), accepted: getKeepAlive(live.accepted), server: getKeepAlive(live.server) };
}
