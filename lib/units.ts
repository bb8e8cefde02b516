// Units, both ways, side by side: milliseconds in the API, the kernel's own units below it.
// Round up on the way down (never shorten silently); report exactly what the kernel holds on the
// way up, and for what it cannot report (the "unreadable" marker) the value last written here.
import { outOfRange } from './errors';
import { nativeConstants, type KernelValues } from './native';
import { rules } from './platform';

/** What the kernel holds for a socket, in ms (count in probes). */
export interface KeepAliveSettings {
  enable: boolean;
  idle: number;
  interval: number;
  count: number;
  /** TCP_USER_TIMEOUT in ms; 0 = the kernel default (tcp_retries2). */
  userTimeout: number;
}

type TimedField = 'idle' | 'interval' | 'userTimeout';

const UNIT_MS: Readonly<Record<TimedField, number>> = {
  idle: rules.idleUnitMs,
  interval: rules.intervalUnitMs,
  userTimeout: rules.userTimeoutUnitMs,
};
const MIN_UNITS: Readonly<Record<TimedField, number>> = {
  idle: rules.minIdleUnits,
  interval: rules.minIntervalUnits,
  userTimeout: rules.minUserTimeoutUnits,
};
const MAX_UNITS: Readonly<Record<TimedField, number>> = {
  idle: rules.maxIdleUnits,
  interval: rules.maxIntervalUnits,
  userTimeout: rules.maxUserTimeoutUnits,
};

/** ms -> kernel units, rounded up; out of the kernel's range is ERR_OUT_OF_RANGE. */
export function msToUnits(field: TimedField, ms: number): number {
  const unitMs = UNIT_MS[field];
  const minUnits = MIN_UNITS[field];
  const maxMs = MAX_UNITS[field] * unitMs;
  if (Number.isNaN(ms) || ms < 0 || ms > maxMs || (minUnits > 0 && ms === 0)) {
    // The message is built only here: this function is on every setKeepAlive call.
    const range = `>= ${minUnits === 0 ? 0 : 1} and <= ${maxMs} ms (${MAX_UNITS[field]} ${unitMs === 1000 ? 's' : 'ms'}, the ${process.platform} maximum)`;
    throw outOfRange(`options.${field}`, range, ms);
  }
  return Math.max(minUnits, Math.ceil(ms / unitMs));
}

/** Idle and interval last written through a write-only path (kernel units). */
export interface WrittenTimes {
  idle: number;
  interval: number;
}

const UNREADABLE = nativeConstants.unreadable;

/**
 * Kernel units -> the settings in ms. A value the platform cannot read back is the one last
 * written (`written`), else the platform default; an absent user timeout reads 0.
 */
export function settingsFromUnits(values: Readonly<KernelValues>, written?: WrittenTimes): KeepAliveSettings {
  const last = written ?? rules.defaults;
  const [enable, idle, interval, count, userTimeout] = values;
  return {
    enable: enable !== 0,
    idle: (idle === UNREADABLE ? last.idle : idle) * rules.idleUnitMs,
    interval: (interval === UNREADABLE ? last.interval : interval) * rules.intervalUnitMs,
    count: count === UNREADABLE ? rules.defaults.count : count,
    userTimeout: userTimeout === UNREADABLE ? 0 : userTimeout * rules.userTimeoutUnitMs,
  };
}
