// The public boundary of options: reads each option exactly once into a validated, frozen
// record with the complete plan in kernel units, before any syscall. Everything after this point
// (queued, kept, integrations) uses only that record.
import { invalidArgType, invalidArgValue, optionNotSupported, optionsUnreadable, outOfRange } from './errors';
import type { KernelValues } from './native';
import { FIELDS, rules as runningRules, type Field, type PlatformRules } from './platform';
import { msToUnitsFor } from './units';

export { FIELDS, type Field };

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

/** Options read once and validated: what the caller gave, and the plan in kernel units. */
export interface KeepAliveConfig {
  /** The fields the caller set (ms as given); `enable` only when given explicitly. */
  readonly given: Readonly<KeepAliveOptions>;
  /** Bit i set when FIELDS[i] is to be written. */
  readonly mask: number;
  /** Kernel-unit values, indexed like FIELDS (unused slots are 0). */
  readonly values: Readonly<KernelValues>;
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

const KNOWN: ReadonlySet<string> = new Set(FIELDS);
// Bit i of a mask is FIELDS[i] (the native layer's order).
const BIT = Object.fromEntries(FIELDS.map((field, i) => [field, 1 << i])) as Readonly<Record<Field, number>>;

function rejectUnknownKey(key: string): never {
  const hint = closestKey(key);
  throw invalidArgValue(
    `options.${key}`,
    `is not a keepalive option${hint ? ` (did you mean "${hint}"?)` : ''}. Known options: ${FIELDS.join(', ')}`,
  );
}

/**
 * Whether `field` is set on `options` or a prototype of its own: keys that only Object.prototype
 * holds (`Object.prototype.enable = false` by some other code) are not options.
 */
function holds(options: object, field: Field): boolean {
  for (let o: object | null = options; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.prototype.hasOwnProperty.call(o, field)) return true;
  }
  return false;
}

/** One [[Get]] of each option the object holds; undefined for the others. */
function readEach(options: object): [unknown, unknown, unknown, unknown, unknown] {
  const read = (field: Field): unknown => (holds(options, field) ? Reflect.get(options, field) : undefined);
  return [read('enable'), read('idle'), read('interval'), read('count'), read('userTimeout')];
}

function numberValue(name: Field, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw invalidArgType(`options.${name}`, 'of type number', value);
  return value;
}

/**
 * Reads `options` exactly once and returns the validated configuration, or throws a typed error
 * (nothing is written before that). On every setKeepAlive call: kept free of closures per field.
 * `rules` is the running platform's; tests pass another platform's (platform.rulesFor).
 */
export function readOptions(options: unknown, rules: PlatformRules = runningRules): KeepAliveConfig {
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
  let keys: string[];
  let read: [unknown, unknown, unknown, unknown, unknown];
  let array: boolean;
  try {
    array = Array.isArray(options); // (a revoked proxy throws here)
    keys = array ? [] : Object.keys(options);
    read = array ? [undefined, undefined, undefined, undefined, undefined] : readEach(options);
  } catch (error) {
    // A throwing getter or proxy trap of the caller's object: reported with a code, as ours are.
    throw optionsUnreadable('options', error);
  }
  if (array) throw invalidArgType('options', 'of type object', options);
  for (const key of keys) if (!KNOWN.has(key)) rejectUnknownKey(key);
  const [enableValue, idleValue, intervalValue, countValue, userTimeoutValue] = read;
  if (enableValue !== undefined && typeof enableValue !== 'boolean') {
    throw invalidArgType('options.enable', 'of type boolean', enableValue);
  }
  const enable = enableValue as boolean | undefined;
  const idle = numberValue('idle', idleValue);
  const interval = numberValue('interval', intervalValue);
  const count = numberValue('count', countValue);
  const userTimeout = numberValue('userTimeout', userTimeoutValue);
  const given: KeepAliveOptions = {};
  if (enable !== undefined) given.enable = enable;
  if (idle !== undefined) given.idle = idle;
  if (interval !== undefined) given.interval = interval;
  if (count !== undefined) given.count = count;
  if (userTimeout !== undefined) given.userTimeout = userTimeout;
  for (const field of FIELDS) {
    if (given[field] !== undefined && !rules.settable[field]) throw optionNotSupported(field, rules.optionNames[field]);
  }

  let mask = 0;
  const values: KernelValues = [0, 0, 0, 0, 0];
  if (idle !== undefined) {
    mask |= BIT.idle;
    values[1] = msToUnitsFor(rules, 'idle', idle);
  }
  if (interval !== undefined) {
    mask |= BIT.interval;
    values[2] = msToUnitsFor(rules, 'interval', interval);
  }
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < 1 || count > rules.maxCount) {
      throw outOfRange('options.count', `an integer >= 1 and <= ${rules.maxCount} (the ${rules.platform} maximum)`, count);
    }
    mask |= BIT.count;
    values[3] = count;
  }
  if (userTimeout !== undefined) {
    mask |= BIT.userTimeout;
    values[4] = msToUnitsFor(rules, 'userTimeout', userTimeout);
  }
  // Any timing implies enable: true unless enable: false is explicit.
  if (enable !== undefined || mask !== 0) {
    mask |= BIT.enable;
    values[0] = enable === false ? 0 : 1;
  }
  if (mask === 0) {
    throw invalidArgValue('options', `sets nothing: give at least one of ${FIELDS.join(', ')}`);
  }
  return Object.freeze({ given: Object.freeze(given), mask, values: Object.freeze(values) });
}

/** A configuration of kernel values as they are (from a read-back): the fields of `mask`. */
export function configFromKernel(mask: number, values: Readonly<KernelValues>): KeepAliveConfig {
  return Object.freeze({ given: Object.freeze({}), mask, values: Object.freeze([...values] as KernelValues) });
}

/** Merges a later configuration into an earlier one (later values win), as if applied in order. */
export function mergeConfigs(earlier: KeepAliveConfig, later: KeepAliveConfig): KeepAliveConfig {
  const values: KernelValues = [...earlier.values];
  for (let bit = 0; bit < FIELDS.length; bit++) if (later.mask & (1 << bit)) values[bit] = later.values[bit];
  return Object.freeze({
    given: Object.freeze({ ...earlier.given, ...later.given }),
    mask: earlier.mask | later.mask,
    values: Object.freeze(values),
  });
}

/** The mask bit of a field. */
export function fieldBit(field: Field): number {
  return BIT[field];
}
