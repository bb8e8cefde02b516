// Validation and rounding: turns the user's options (ms) into a complete plan in kernel units
// before any syscall is made.
import { invalidArgType, invalidArgValue, optionNotSupported, outOfRange } from './errors';
import { limits } from './platform';

export interface KeepAliveOptions {
  /** Turn SO_KEEPALIVE on or off. Implied `true` when any other option is given. */
  enable?: boolean;
  /** Idle time before the first probe, ms. Linux holds whole seconds: rounded up. */
  idle?: number;
  /** Time between unanswered probes, ms. Linux holds whole seconds: rounded up. */
  interval?: number;
  /** Unanswered probes before the connection is dropped (integer). */
  count?: number;
  /** TCP_USER_TIMEOUT, ms: how long sent data or probes may stay unacknowledged. 0 = kernel default. */
  userTimeout?: number;
}

/** Bits of the native plan mask, in the order the native layer issues the syscalls. */
export const FIELDS = ['enable', 'idle', 'interval', 'count', 'userTimeout'] as const;
export type Field = (typeof FIELDS)[number];

export interface Plan {
  /** Bit i set when FIELDS[i] is to be written. */
  mask: number;
  /** Kernel-unit values, indexed like FIELDS (unused slots are 0). */
  values: [number, number, number, number, number];
}


function normalize(key: string): string {
  return key.toLowerCase().replace(/[^a-z]/g, '');
}

/** The known option a mistyped key most likely meant (shared prefix, containment, or one typo). */
function closestKey(key: string): Field | undefined {
  const typed = normalize(key);
  return FIELDS.find((field) => {
    const known = normalize(field);
    return typed.includes(known) || known.includes(typed) || typed.startsWith(known.slice(0, 4)) || known.startsWith(typed.slice(0, 4));
  });
}

/** Round ms up to whole kernel units, then check the kernel's range. */
function toUnits(name: string, ms: number, unitMs: number, minUnits: number, maxUnits: number): number {
  const maxMs = maxUnits * unitMs;
  if (Number.isNaN(ms) || ms < 0 || ms > maxMs || (minUnits > 0 && ms === 0)) {
    // The message is built only here: this function is on every setKeepAlive call.
    const range = `>= ${minUnits === 0 ? 0 : 1} and <= ${maxMs} ms (${maxUnits} ${unitMs === 1000 ? 's' : 'ms'}, the ${process.platform} maximum)`;
    throw outOfRange(`options.${name}`, range, ms);
  }
  return Math.max(minUnits, Math.ceil(ms / unitMs));
}

function numberOption(options: Record<string, unknown>, name: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw invalidArgType(`options.${name}`, 'of type number', value);
  return value;
}

const KNOWN: ReadonlySet<string> = new Set(FIELDS);
const BIT = { enable: 1 << 0, idle: 1 << 1, interval: 1 << 2, count: 1 << 3, userTimeout: 1 << 4 } as const;

function rejectUnknownKey(key: string): never {
  const hint = closestKey(key);
  throw invalidArgValue(
    `options.${key}`,
    `is not a keepalive option${hint ? ` (did you mean "${hint}"?)` : ''}. Known options: ${FIELDS.join(', ')}`,
  );
}

/**
 * Validates `options` completely and returns the plan, or throws a typed error. On every
 * setKeepAlive call: written without closures or per-field lookups.
 */
export function planFromOptions(options: unknown): Plan {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgType('options', 'of type object', options);
  }
  const record = options as Record<string, unknown>;
  for (const key in record) {
    if (!KNOWN.has(key) && Object.prototype.hasOwnProperty.call(record, key)) rejectUnknownKey(key);
  }
  for (const field of FIELDS) {
    if (record[field] !== undefined && !limits.settable[field]) throw optionNotSupported(field, limits.optionNames[field]);
  }
  const enable = record.enable;
  if (enable !== undefined && typeof enable !== 'boolean') {
    throw invalidArgType('options.enable', 'of type boolean', enable);
  }
  const idle = numberOption(record, 'idle');
  const interval = numberOption(record, 'interval');
  const count = numberOption(record, 'count');
  const userTimeout = numberOption(record, 'userTimeout');

  const plan: Plan = { mask: 0, values: [0, 0, 0, 0, 0] };
  if (idle !== undefined) {
    plan.mask |= BIT.idle;
    plan.values[1] = toUnits('idle', idle, limits.idleUnitMs, limits.minIdleUnits, limits.maxIdleUnits);
  }
  if (interval !== undefined) {
    plan.mask |= BIT.interval;
    plan.values[2] = toUnits('interval', interval, limits.intervalUnitMs, limits.minIntervalUnits, limits.maxIntervalUnits);
  }
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < 1 || count > limits.maxCount) {
      throw outOfRange('options.count', `an integer >= 1 and <= ${limits.maxCount} (the ${process.platform} maximum)`, count);
    }
    plan.mask |= BIT.count;
    plan.values[3] = count;
  }
  if (userTimeout !== undefined) {
    plan.mask |= BIT.userTimeout;
    plan.values[4] = toUnits(
      'userTimeout',
      userTimeout,
      limits.userTimeoutUnitMs,
      limits.minUserTimeoutUnits,
      limits.maxUserTimeoutUnits,
    );
  }
  // Any timing implies enable: true unless enable: false is explicit.
  if (enable !== undefined || plan.mask !== 0) {
    plan.mask |= BIT.enable;
    plan.values[0] = enable === false ? 0 : 1;
  }
  if (plan.mask === 0) {
    throw invalidArgValue('options', `sets nothing: give at least one of ${FIELDS.join(', ')}`);
  }
  return plan;
}

/** Merges a later plan into an earlier one (later values win), for sockets not yet connected. */
export function mergePlans(earlier: Plan, later: Plan): Plan {
  const merged: Plan = { mask: earlier.mask | later.mask, values: [...earlier.values] };
  FIELDS.forEach((_, bit) => {
    if (later.mask & (1 << bit)) merged.values[bit] = later.values[bit];
  });
  return merged;
}
