// The TCP_KEEPALIVE environment variable of the preload (tcp-keepalive/register), parsed into
// keepalive options and policy settings. Every option is validated here, through readOptions, so a
// bad value fails at startup with one message naming the part of the variable that is wrong.
//
//   TCP_KEEPALIVE := "" | item ("," item)*            spaces around items, names and values ignored
//   item          := name "=" value
//   idle, interval, userTimeout := number unit?        number: digits, optionally "." digits;
//                                                      unit: ms | s | m (bare number: ms)
//   count         := integer                           probes
//   enable, clients, servers := on | off | true | false | yes | no | 1 | 0
//   ports         := port ("+" port)*                  only connections to (client) or accepted
//                                                      on (server) these ports
// Names are case-insensitive ("usertimeout", "user_timeout" too). Each name at most once.
// Timing fields not given take the preload defaults idle=60s, interval=10s, count=6 (a dead peer
// found within 2 minutes, under common NAT / load-balancer idle timeouts of 350 s and 4 min).
import { invalidArgType, malformedEnvironment } from './errors';
import { readOptions, type KeepAliveOptions } from './options';

export const ENV_VARIABLE = 'TCP_KEEPALIVE';

/** What the preload does, from TCP_KEEPALIVE. */
export interface KeepAliveEnv {
  options: KeepAliveOptions;
  clients: boolean;
  servers: boolean;
  /** Only connections whose port (peer's for clients, local for servers) is listed; all when undefined. */
  ports?: number[];
}

export const PRELOAD_DEFAULTS: Readonly<Required<Pick<KeepAliveOptions, 'idle' | 'interval' | 'count'>>> = Object.freeze({
  idle: 60_000,
  interval: 10_000,
  count: 6,
});

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };
const DURATIONS = ['idle', 'interval', 'userTimeout'] as const;
const FLAGS = ['enable', 'clients', 'servers'] as const;
const NAMES = [...DURATIONS, 'count', ...FLAGS, 'ports'] as const;
type Name = (typeof NAMES)[number];
const BY_KEY = new Map<string, Name>(NAMES.map((name) => [name.toLowerCase(), name]));
const TRUE = new Set(['on', 'true', 'yes', '1']);
const FALSE = new Set(['off', 'false', 'no', '0']);

type Fail = (reason: string) => never;

function duration(text: string, fail: Fail): number {
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(text);
  if (!match) fail('expected a duration: a number with an optional unit ms, s or m (e.g. 30s, 500ms, 2m)');
  const unit = match[2].toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) fail(`unknown unit "${match[2]}" (use ms, s or m; a bare number is ms)`);
  return Math.round(Number(match[1]) * factor * 1000) / 1000;
}

function integer(text: string, fail: Fail): number {
  if (!/^\d+$/.test(text)) fail('expected a whole number of probes (no unit)');
  return Number(text);
}

function flag(text: string, fail: Fail): boolean {
  const lower = text.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return fail('expected on or off (also true/false, yes/no, 1/0)');
}

function portList(text: string, fail: Fail): number[] {
  const ports = text.split('+').map((port) => port.trim());
  for (const port of ports) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      fail(`"${port}" is not a port (1 to 65535); separate ports with "+", e.g. ports=5432+6379`);
    }
  }
  return ports.map(Number);
}

/** Validates one option as setKeepAlive would, with the message of the core. */
function checkOption(options: KeepAliveOptions, fail: Fail): void {
  try {
    readOptions(options);
  } catch (error) {
    fail((error as Error).message);
  }
}

/**
 * Parses the value of TCP_KEEPALIVE (undefined or blank: the preload defaults). Throws one
 * ERR_INVALID_ARG_VALUE error naming the first bad part, e.g.
 * `TCP_KEEPALIVE: "interval=5x": unknown unit "x" (use ms, s or m; a bare number is ms)`.
 */
export function parseKeepAliveEnv(value: string | undefined, variable = ENV_VARIABLE): KeepAliveEnv {
  if (value !== undefined && typeof value !== 'string') throw invalidArgType('value', 'of type string', value);
  const result: KeepAliveEnv = { options: {}, clients: true, servers: true };
  const seen = new Set<Name>();
  const text = value?.trim() ?? '';
  const items = text === '' ? [] : text.split(',');
  for (const raw of items) {
    const part = raw.trim();
    const fail: Fail = (reason) => {
      throw malformedEnvironment(variable, part, reason);
    };
    if (part === '') fail('empty item (two commas, or a comma at either end)');
    const eq = part.indexOf('=');
    if (eq < 0) fail('expected name=value');
    const key = part.slice(0, eq).trim();
    const valueText = part.slice(eq + 1).trim();
    const name = BY_KEY.get(key.toLowerCase().replace(/[_-]/g, ''));
    if (!name) fail(`unknown name "${key}" (known: ${NAMES.join(', ')})`);
    if (seen.has(name)) fail(`"${name}" is given twice`);
    seen.add(name);
    if (valueText === '') fail('no value after "="');
    if (name === 'idle' || name === 'interval' || name === 'userTimeout') {
      result.options[name] = duration(valueText, fail);
      checkOption({ [name]: result.options[name] }, fail);
    } else if (name === 'count') {
      result.options.count = integer(valueText, fail);
      checkOption({ count: result.options.count }, fail);
    } else if (name === 'enable') {
      result.options.enable = flag(valueText, fail);
    } else if (name === 'ports') {
      result.ports = portList(valueText, fail);
    } else {
      result[name] = flag(valueText, fail);
    }
  }
  if (result.options.enable !== false) {
    for (const field of ['idle', 'interval', 'count'] as const) result.options[field] ??= PRELOAD_DEFAULTS[field];
  }
  return result;
}
