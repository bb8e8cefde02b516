// Helpers for the hardening tests (issue 12): options objects that count every [[Get]] of the
// known fields, coded-error checks, time bounds, and small real-socket utilities.
import * as net from 'node:net';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { parseSs, type SsEntry } from './ss';
import { closeAll } from './sockets';

export const KNOWN_FIELDS = ['enable', 'idle', 'interval', 'count', 'userTimeout'] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];

export type Reads = Record<KnownField, number>;

function zeroReads(): Reads {
  return { enable: 0, idle: 0, interval: 0, count: 0, userTimeout: 0 };
}

/**
 * The value a field returns on its n-th read (0-based): a constant, or a list whose last entry
 * repeats (so `[5000, 99000]` is 5000 the first time and 99000 ever after).
 */
export type FieldValues = Partial<Record<KnownField, unknown>>;

function valueAt(spec: unknown, read: number): unknown {
  if (Array.isArray(spec)) return spec[Math.min(read, spec.length - 1)];
  return spec;
}

export interface Counted<T extends object> {
  options: T;
  reads: Reads;
  /** The largest read count over the five fields. */
  maxReads(): number;
}

function counted<T extends object>(options: T, reads: Reads): Counted<T> {
  return { options, reads, maxReads: () => Math.max(...KNOWN_FIELDS.map((field) => reads[field])) };
}

/**
 * A plain object whose given fields are enumerable own getters counting their reads. Fields
 * given as arrays change value after the first read (TOCTOU). Wrap a value in `seq()` to make
 * an array the value itself (never needed for valid options).
 */
export function gettersOptions(values: FieldValues): Counted<Record<string, unknown>> {
  const reads = zeroReads();
  const options: Record<string, unknown> = {};
  for (const field of KNOWN_FIELDS) {
    if (!(field in values)) continue;
    Object.defineProperty(options, field, {
      enumerable: true,
      configurable: true,
      get: () => valueAt(values[field], reads[field]++),
    });
  }
  return counted(options, reads);
}

/** A Proxy over a plain object holding the fields; its get trap counts reads of known fields. */
export function proxyOptions(values: FieldValues): Counted<Record<string, unknown>> {
  const reads = zeroReads();
  const target: Record<string, unknown> = {};
  for (const field of KNOWN_FIELDS) if (field in values) target[field] = valueAt(values[field], 0);
  const options = new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'string' && (KNOWN_FIELDS as readonly string[]).includes(key)) {
        const field = key as KnownField;
        if (field in values) return valueAt(values[field], reads[field]++);
        reads[field]++;
      }
      return Reflect.get(object, key, receiver);
    },
  });
  return counted(options, reads);
}

/** The two counting kinds, for describe.each. */
export const COUNTING_KINDS = [
  ['getters', gettersOptions],
  ['a Proxy get trap', proxyOptions],
] as const;

/** Runs fn; returns what it threw (or undefined). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The `code` of what fn threw, 'NO THROW' if it returned, '<no code: message>' if uncoded. */
export function codeOf(fn: () => unknown): string {
  const error = thrown(fn);
  if (error === undefined) return 'NO THROW';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return `<no code: ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}>`;
}

/** Rejects after `ms` with a message naming what was awaited. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A loopback port that nothing listens on (bound once, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The OS descriptor of a connected socket (Linux), read from Node's handle. */
export function fdOf(socket: net.Socket): number {
  return (socket as unknown as { _handle: { fd: number } | null })._handle?.fd ?? -1;
}

/**
 * `ss -tino` for one established connection, found by its 4-tuple ports (the independent
 * observer: sock_diag, not this package's addon). Undefined when ss shows none.
 */
export function ssEntry(local: number, remote: number): SsEntry | undefined {
  const filter = `( sport = :${local} and dport = :${remote} )`;
  const entries = parseSs(execFileSync('ss', ['-tinoH', 'state', 'established', filter], { encoding: 'utf8' }));
  return entries.length === 1 ? entries[0] : undefined;
}

/**
 * The keepalive timer ss reports for a connected socket: { expiresMs } or null when the socket
 * has no keepalive timer armed (keepalive off). Ports are passed explicitly so a socket whose
 * descriptor was closed behind Node's back can still be named by its cached addresses.
 */
export function ssKeepAliveTimer(local: number, remote: number): { expiresMs: number } | null {
  const entry = ssEntry(local, remote);
  if (!entry) throw new Error(`ss shows no established connection ${local} -> ${remote}`);
  return entry.timer && entry.timer.name === 'keepalive' ? { expiresMs: entry.timer.expiresMs } : null;
}

/**
 * Collects uncaught exceptions for the whole test file (e.g. an unhandled 'error' event of an
 * orphan socket the package created and lost) so that one defect cannot kill the jest worker;
 * afterAll fails the file if any was seen. Returns the live list (tests may assert on it).
 */
export function guardUncaught(): unknown[] {
  const seen: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    seen.push(error);
  };
  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    await delay(50);
    process.off('uncaughtException', onUncaught);
    const described = seen.map((error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
    expect(described).toEqual([]);
  });
  return seen;
}

/**
 * Servers, agents and other closables a test opens: closed after each test (those already closed
 * are skipped), then every tracked socket (closeAll). Returns the list to push them onto.
 */
export function closeAfterEach(): Array<{ close(): unknown }> {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const item of open.splice(0)) {
      try {
        await item.close();
      } catch {
        // already closed
      }
    }
    await closeAll();
  });
  return open;
}
