// Options that cannot be read back. Windows without TCP_KEEPIDLE has only SIO_KEEPALIVE_VALS,
// which is write-only and always takes enable, idle and interval together: the values last
// written are kept per handle (the entry goes with the handle), filled into every plan that
// touches keepalive, and reported by getKeepAlive (capabilities().readFrom says 'remembered').
import type { Plan } from './options';
import type { KeepAliveSettings } from './apply';
import { limits } from './platform';

const VIA_KEEPALIVE_VALS = 1 << 8; // kViaKeepAliveVals in src-native/keepalive.h
const KEEPALIVE_BITS = 0b111; // enable, idle, interval
const IDLE_BIT = 0b010;
const INTERVAL_BIT = 0b100;
const UNREADABLE = -(2 ** 31); // kUnreadable in src-native/keepalive.h

interface Written {
  idle: number;
  interval: number;
}

const written = new WeakMap<object, Written>();

/** The plan as the native layer needs it for this handle: unchanged unless on the ioctl path. */
export function platformPlan(handle: object, plan: Plan): Plan {
  if (!limits.keepAliveVals || (plan.mask & KEEPALIVE_BITS) === 0) return plan;
  const last = written.get(handle) ?? limits.defaults;
  const values: Plan['values'] = [...plan.values];
  if (!(plan.mask & IDLE_BIT)) values[1] = last.idle;
  if (!(plan.mask & INTERVAL_BIT)) values[2] = last.interval;
  return { mask: plan.mask | KEEPALIVE_BITS | VIA_KEEPALIVE_VALS, values };
}

/** After the native layer applied `plan` (from platformPlan): remember what the ioctl wrote. */
export function rememberPlan(handle: object, plan: Plan): void {
  if (plan.mask & VIA_KEEPALIVE_VALS) written.set(handle, { idle: plan.values[1], interval: plan.values[2] });
}

/** Builds getKeepAlive's answer from a native read-back (state[1..5], kernel units). */
export function settingsFrom(handle: object, state: Float64Array): KeepAliveSettings {
  const settings: KeepAliveSettings = {
    enable: state[1] !== 0,
    idle: state[2] * limits.idleUnitMs,
    interval: state[3] * limits.intervalUnitMs,
    count: state[4],
    userTimeout: state[5] * limits.userTimeoutUnitMs,
  };
  // Only the ioctl path and kernels lacking an option report unreadable slots.
  if (state[2] === UNREADABLE || state[3] === UNREADABLE || state[4] === UNREADABLE || state[5] === UNREADABLE) {
    const last = written.get(handle) ?? limits.defaults;
    if (state[2] === UNREADABLE) settings.idle = last.idle * limits.idleUnitMs;
    if (state[3] === UNREADABLE) settings.interval = last.interval * limits.intervalUnitMs;
    if (state[4] === UNREADABLE) settings.count = limits.defaults.count;
    if (state[5] === UNREADABLE) settings.userTimeout = 0;
  }
  return settings;
}
