// The README's rules as an executable model (Linux): what setKeepAlive(target, options) must do
// for a described options object, given what the kernel held before.
//   - Options are read once: a field is the value its single [[Get]] returned.
//   - Keys only Object.prototype holds are ignored; own keys (any enumerability) and keys of the
//     object's own prototypes (a class) are options. Unknown own enumerable string keys refuse the
//     call; symbol keys and non-enumerable unknown keys are not options.
//   - Undefined means unchanged. idle / interval: ms, 1 .. 32 767 000, rounded up to whole seconds.
//     count: integer 1 .. 127. userTimeout: 0 .. 2^31-1 ms, rounded up. enable: boolean.
//   - Any timing implies enable, unless enable: false is explicit. Nothing given: refused.
import type { KeepAliveSettings } from '../../lib';
import { KNOWN, type BuiltOptions, type FieldSpec, type Known, type OptionsSpec } from './arbitraries';

export type Verdict =
  | { ok: true; expected: (before: KeepAliveSettings) => KeepAliveSettings; mustRead: Known[] }
  | { ok: false; why: string };

const MAX_SECONDS_MS = 32767 * 1000;
const MAX_USER_TIMEOUT = 2 ** 31 - 1;

function zeroless(n: number): number {
  return n === 0 ? 0 : n;
}

/** The field description an own-or-prototype lookup of `key` resolves to, if any. */
function resolve(spec: OptionsSpec, key: string): FieldSpec | undefined {
  let own: FieldSpec | undefined;
  let proto: FieldSpec | undefined;
  for (const field of spec.fields) {
    if (field.key !== key) continue;
    if (field.onProto && spec.container === 'class') proto = field;
    else own = field;
  }
  return own ?? proto;
}

/** The unknown own enumerable string keys (they refuse the call). */
export function unknownOwnKeys(spec: OptionsSpec): string[] {
  const keys = new Set<string>();
  for (const field of spec.fields) {
    const own = !(field.onProto && spec.container === 'class');
    if (own && field.enumerable && !(KNOWN as readonly string[]).includes(field.key)) keys.add(field.key);
  }
  // A later non-enumerable definition of the same own key replaces an earlier enumerable one.
  for (const key of [...keys]) {
    let last: FieldSpec | undefined;
    for (const field of spec.fields) if (field.key === key && !(field.onProto && spec.container === 'class')) last = field;
    if (last && !last.enumerable) keys.delete(key);
  }
  return [...keys];
}

function secondsRule(name: string, value: number): number | string {
  if (Number.isNaN(value) || value <= 0 || value > MAX_SECONDS_MS) return `${name} out of range`;
  // At least one second: a positive value never rounds down to 0 (5e-324 / 1000 underflows to 0).
  return Math.max(1, Math.ceil(value / 1000)) * 1000;
}

/** What the package must do with these options (independent of the target). */
export function verdict(spec: OptionsSpec, built: BuiltOptions): Verdict {
  if (spec.container === 'array' || spec.container === 'function') return { ok: false, why: `options is ${spec.container}` };
  const unknown = unknownOwnKeys(spec);
  if (unknown.length > 0) return { ok: false, why: `unknown keys ${unknown.join(', ')}` };
  const values: Partial<Record<Known, unknown>> = {};
  const mustRead: Known[] = [];
  for (const field of KNOWN) {
    const resolved = resolve(spec, field);
    if (!resolved) continue;
    if (resolved.how === 'throwing') return { ok: false, why: `getter ${field} throws` };
    if (resolved.how === 'data' && spec.container !== 'proxy') {
      values[field] = built.values.get(resolved);
    } else {
      // Getters and proxies: the value the (single) read returned; the model needs it read.
      mustRead.push(field);
      values[field] = field in built.firstRead ? built.firstRead[field] : built.values.get(resolved);
    }
  }
  const { enable, idle, interval, count, userTimeout } = values;
  if (enable !== undefined && typeof enable !== 'boolean') return { ok: false, why: 'enable not boolean' };
  for (const [name, value] of [['idle', idle], ['interval', interval], ['count', count], ['userTimeout', userTimeout]] as const) {
    if (value !== undefined && typeof value !== 'number') return { ok: false, why: `${name} not a number` };
  }
  const set: Partial<KeepAliveSettings> = {};
  if (idle !== undefined) {
    const ms = secondsRule('idle', idle as number);
    if (typeof ms === 'string') return { ok: false, why: ms };
    set.idle = ms;
  }
  if (interval !== undefined) {
    const ms = secondsRule('interval', interval as number);
    if (typeof ms === 'string') return { ok: false, why: ms };
    set.interval = ms;
  }
  if (count !== undefined) {
    const n = count as number;
    if (!Number.isInteger(n) || n < 1 || n > 127) return { ok: false, why: 'count out of range' };
    set.count = n;
  }
  if (userTimeout !== undefined) {
    const ms = userTimeout as number;
    if (Number.isNaN(ms) || ms < 0 || ms > MAX_USER_TIMEOUT) return { ok: false, why: 'userTimeout out of range' };
    set.userTimeout = zeroless(Math.ceil(ms));
  }
  const timings = Object.keys(set).length > 0;
  if (enable === undefined && !timings) return { ok: false, why: 'sets nothing' };
  set.enable = enable === false ? false : true;
  return { ok: true, expected: (before) => ({ ...before, ...set }), mustRead };
}
