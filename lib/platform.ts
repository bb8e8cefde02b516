// What the running platform can hold: units, limits and which options exist. The only place
// that knows per-platform numbers; options.ts rounds and validates against it.

export interface PlatformLimits {
  /** Milliseconds per kernel unit of idle and interval (Linux: whole seconds). */
  idleUnitMs: number;
  intervalUnitMs: number;
  /** Largest idle / interval the kernel accepts, in its own unit. */
  maxIdleUnits: number;
  maxIntervalUnits: number;
  /** Smallest idle / interval the kernel accepts, in its own unit (Linux rejects 0). */
  minIdleUnits: number;
  minIntervalUnits: number;
  maxCount: number;
  /** TCP_USER_TIMEOUT is held in ms on Linux. */
  userTimeoutUnitMs: number;
  maxUserTimeoutUnits: number;
}

export interface Capabilities {
  platform: NodeJS.Platform;
  /** Whether each option can be set. */
  idle: boolean;
  interval: boolean;
  count: boolean;
  userTimeout: boolean;
  /** getTcpInfo() works. */
  tcpInfo: boolean;
  /** getKeepAlive() reports what the kernel holds (not values remembered by this package). */
  readBack: boolean;
  /** Accepted sockets inherit keepalive options set on a listening server. */
  serverInheritance: boolean;
  /** Kernel units and limits, in milliseconds (count in probes). */
  limits: {
    idleGranularity: number;
    intervalGranularity: number;
    maxIdle: number;
    maxInterval: number;
    maxCount: number;
    maxUserTimeout: number;
  };
}

const INT32_MAX = 2 ** 31 - 1;

const LINUX: PlatformLimits = {
  idleUnitMs: 1000,
  intervalUnitMs: 1000,
  maxIdleUnits: 32767, // MAX_TCP_KEEPIDLE
  maxIntervalUnits: 32767, // MAX_TCP_KEEPINTVL
  minIdleUnits: 1,
  minIntervalUnits: 1,
  maxCount: 127, // MAX_TCP_KEEPCNT
  userTimeoutUnitMs: 1,
  maxUserTimeoutUnits: INT32_MAX,
};

export const limits: PlatformLimits = LINUX;

const frozenCapabilities: Capabilities = Object.freeze({
  platform: process.platform,
  idle: true,
  interval: true,
  count: true,
  userTimeout: true,
  tcpInfo: true,
  readBack: true,
  serverInheritance: process.platform === 'linux',
  limits: Object.freeze({
    idleGranularity: limits.idleUnitMs,
    intervalGranularity: limits.intervalUnitMs,
    maxIdle: limits.maxIdleUnits * limits.idleUnitMs,
    maxInterval: limits.maxIntervalUnits * limits.intervalUnitMs,
    maxCount: limits.maxCount,
    maxUserTimeout: limits.maxUserTimeoutUnits * limits.userTimeoutUnitMs,
  }),
});

/** What the running platform supports. The returned object is frozen. */
export function capabilities(): Capabilities {
  return frozenCapabilities;
}
