// Units, both ways, side by side: milliseconds in the API, the kernel's own units below it.
// Round up on the way down (never shorten silently); report exactly what the kernel holds on the
// way up, and for what it cannot report (the "unreadable" marker) the value last written here.
import { outOfRange } from './errors';
import { nativeConstants, type KernelValues } from './native';
import { rules, type PlatformRules } from './platform';

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

function unitMs(r: PlatformRules, field: TimedField): number {
  return field === 'idle' ? r.idleUnitMs : field === 'interval' ? r.intervalUnitMs : r.userTimeoutUnitMs;
}
function minUnits(r: PlatformRules, field: TimedField): number {
  return field === 'idle' ? r.minIdleUnits : field === 'interval' ? r.minIntervalUnits : r.minUserTimeoutUnits;
}
function maxUnits(r: PlatformRules, field: TimedField): number {
  return field === 'idle' ? r.maxIdleUnits : field === 'interval' ? r.maxIntervalUnits : r.maxUserTimeoutUnits;
}

/** ms -> kernel units of platform rules `r`, rounded up; out of its range is ERR_OUT_OF_RANGE. */
export function msToUnitsFor(r: PlatformRules, field: TimedField, ms: number): number {
  const unit = unitMs(r, field);
  const min = minUnits(r, field);
  const maxMs = maxUnits(r, field) * unit;
  if (Number.isNaN(ms) || ms < 0 || ms > maxMs || (min > 0 && ms === 0)) {
    // The message is built only here: this function is on every setKeepAlive call.
    const range = `>= ${min === 0 ? 0 : 1} and <= ${maxMs} ms (${maxUnits(r, field)} ${unit === 1000 ? 's' : 'ms'}, the ${r.platform} maximum)`;
    throw outOfRange(`options.${field}`, range, ms);
  }
  return Math.max(min, Math.ceil(ms / unit));
}

/** ms -> kernel units of the running platform, rounded up; out of range is ERR_OUT_OF_RANGE. */
export function msToUnits(field: TimedField, ms: number): number {
  return msToUnitsFor(rules, field, ms);
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
  return settingsFromUnitsFor(rules, values, written);
}

/** settingsFromUnits for platform rules `rules` (any platform's, for tests). */
export function settingsFromUnitsFor(
  rules: PlatformRules,
  values: Readonly<KernelValues>,
  written?: WrittenTimes,
): KeepAliveSettings {
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
