// What each platform can hold: units, limits and which options exist. The only place that knows
// per-platform numbers; units.ts converts and options.ts validates against it. The rules are a
// pure function of (platform, detected features), rulesFor(), so every platform's table is
// tested on Linux; `rules` is that function applied to the running platform once.
import { nativeConstants, probeFeatures } from './native';

/** The option fields, in the order the native layer writes them (bit i of a mask = FIELDS[i]). */
export const FIELDS = nativeConstants.fields;
export type Field = (typeof FIELDS)[number];

/**
 * Where getKeepAlive() takes a value from: 'kernel' = read back from the socket; 'remembered' =
 * the value this package last wrote to that socket (the platform default before any write);
 * 'fixed' = a platform constant that cannot be changed; 'unsupported' = no such option (0).
 */
export type ReadSource = 'kernel' | 'remembered' | 'fixed' | 'unsupported';

export interface PlatformRules {
  /** The platform these rules describe (named in range errors). */
  platform: NodeJS.Platform;
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
  /** 0 = "kernel default" where the kernel has one (Linux, BSDs); Windows has no such value. */
  minUserTimeoutUnits: number;
  /** Which options the running OS accepts; asking for another is a typed ENOPROTOOPT error. */
  settable: Readonly<Record<Field, boolean>>;
  /** The OS option behind each field, named in errors. */
  optionNames: Readonly<Record<Field, string>>;
  readFrom: Readonly<Record<Field, ReadSource>>;
  /** Windows without TCP_KEEPIDLE: enable, idle and interval (ms) go through SIO_KEEPALIVE_VALS. */
  keepAliveVals: boolean;
  /** What an option reads as before this package wrote it, where it cannot be read (kernel units). */
  defaults: { idle: number; interval: number; count: number };
  tcpInfo: boolean;
  /** Accepted sockets inherit idle/interval/count and SO_KEEPALIVE from their listener. */
  serverInheritance: boolean;
  /** Which fields an accepted socket inherits from its listener (all false: none). */
  inherited: Readonly<Record<Field, boolean>>;
  /**
   * The ranges above are exactly what the kernel accepts (verified on it): a validated value is
   * never refused, so writes need no rollback reads. Only where verified on the real kernel.
   */
  exactRanges: boolean;
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
  /** Where getKeepAlive() takes each value from (see ReadSource). */
  readFrom: Readonly<Record<Field, ReadSource>>;
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
    userTimeoutGranularity: number;
  };
}

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX_MS_IN_S = 4_294_967; // BSD kernels store seconds as ms/ticks in 32 bits

const ALL: Readonly<Record<Field, boolean>> = { enable: true, idle: true, interval: true, count: true, userTimeout: true };
const KERNEL: Readonly<Record<Field, ReadSource>> = {
  enable: 'kernel', idle: 'kernel', interval: 'kernel', count: 'kernel', userTimeout: 'kernel',
};
const NONE: Readonly<Record<Field, boolean>> = { enable: false, idle: false, interval: false, count: false, userTimeout: false };
const NO_DEFAULTS = { idle: 0, interval: 0, count: 0 };

const LINUX: PlatformRules = Object.freeze({
  platform: 'linux',
  idleUnitMs: 1000,
  intervalUnitMs: 1000,
  maxIdleUnits: 32767, // MAX_TCP_KEEPIDLE
  maxIntervalUnits: 32767, // MAX_TCP_KEEPINTVL
  minIdleUnits: 1,
  minIntervalUnits: 1,
  maxCount: 127, // MAX_TCP_KEEPCNT
  userTimeoutUnitMs: 1,
  maxUserTimeoutUnits: INT32_MAX,
  minUserTimeoutUnits: 0,
  settable: ALL,
  optionNames: {
    enable: 'SO_KEEPALIVE', idle: 'TCP_KEEPIDLE', interval: 'TCP_KEEPINTVL', count: 'TCP_KEEPCNT',
    userTimeout: 'TCP_USER_TIMEOUT',
  },
  readFrom: KERNEL,
  keepAliveVals: false,
  defaults: NO_DEFAULTS,
  tcpInfo: true,
  serverInheritance: true,
  inherited: ALL,
  exactRanges: true, // linux.md: MAX_TCP_KEEPIDLE/INTVL/CNT, TCP_USER_TIMEOUT >= 0, verified
});

// macOS: 0 would mean "system default" there, so 1 s stays the minimum as on Linux.
// xnu copies interval and count to accepted sockets but not the idle time: no inheritance.
const DARWIN: PlatformRules = Object.freeze({
  ...LINUX,
  platform: 'darwin',
  serverInheritance: false,
  inherited: NONE,
  exactRanges: false,
  maxIdleUnits: UINT32_MAX_MS_IN_S,
  maxIntervalUnits: UINT32_MAX_MS_IN_S,
  maxCount: INT32_MAX,
  userTimeoutUnitMs: 1000, // TCP_RXT_CONNDROPTIME is in seconds: rounded up
  maxUserTimeoutUnits: UINT32_MAX_MS_IN_S,
  optionNames: {
    enable: 'SO_KEEPALIVE', idle: 'TCP_KEEPALIVE', interval: 'TCP_KEEPINTVL', count: 'TCP_KEEPCNT',
    userTimeout: 'TCP_RXT_CONNDROPTIME',
  },
});

const FEATURE = nativeConstants.features;

// FreeBSD copies idle/interval/count and SO_KEEPALIVE from a listener to accepted sockets
// (syncache_socket), not TCP_MAXUNACKTIME: a userTimeout is written on each accepted socket.
function freebsd(features: number): PlatformRules {
  const userTimeout = (features & FEATURE.userTimeout) !== 0; // TCP_MAXUNACKTIME, FreeBSD 14+
  return {
    ...DARWIN,
    platform: 'freebsd',
    serverInheritance: true,
    inherited: { ...ALL, userTimeout: false },
    settable: { ...ALL, userTimeout },
    optionNames: { ...LINUX.optionNames, userTimeout: 'TCP_MAXUNACKTIME' },
    readFrom: { ...KERNEL, userTimeout: userTimeout ? 'kernel' : 'unsupported' },
  };
}

// Windows: TCP_KEEPIDLE/TCP_KEEPINTVL (s, 10 1709+) and TCP_KEEPCNT (10 1703+) where the running
// build accepts them; else the write-only SIO_KEEPALIVE_VALS (ms) with a fixed 10 probes.
function windows(features: number): PlatformRules {
  const options = (features & FEATURE.keepIdle) !== 0 && (features & FEATURE.keepIntvl) !== 0;
  const vals = !options && (features & FEATURE.keepAliveVals) !== 0;
  const count = (features & FEATURE.keepCnt) !== 0;
  const userTimeout = (features & FEATURE.userTimeout) !== 0;
  const timing: ReadSource = options ? 'kernel' : 'remembered';
  return {
    platform: 'win32',
    idleUnitMs: vals ? 1 : 1000,
    intervalUnitMs: vals ? 1 : 1000,
    // The ioctl takes ULONG ms; the native call passes int32, so INT32_MAX ms (24.8 days) is the cap.
    maxIdleUnits: vals ? INT32_MAX : UINT32_MAX_MS_IN_S,
    maxIntervalUnits: vals ? INT32_MAX : UINT32_MAX_MS_IN_S,
    minIdleUnits: 1,
    minIntervalUnits: 1,
    maxCount: 255, // "illegal to set a value greater than 255"
    userTimeoutUnitMs: 1, // TCP_MAXRTMS
    maxUserTimeoutUnits: INT32_MAX,
    minUserTimeoutUnits: 1, // 0 is not "system default" for TCP_MAXRTMS: refused
    settable: { enable: true, idle: options || vals, interval: options || vals, count, userTimeout },
    optionNames: {
      enable: 'SO_KEEPALIVE',
      idle: options ? 'TCP_KEEPIDLE' : 'SIO_KEEPALIVE_VALS',
      interval: options ? 'TCP_KEEPINTVL' : 'SIO_KEEPALIVE_VALS',
      count: 'TCP_KEEPCNT',
      userTimeout: 'TCP_MAXRTMS',
    },
    readFrom: {
      enable: 'kernel', idle: timing, interval: timing, count: count ? 'kernel' : 'fixed',
      userTimeout: userTimeout ? 'kernel' : 'unsupported',
    },
    keepAliveVals: vals,
    // System defaults: KeepAliveTime 2 h, KeepAliveInterval 1 s, 10 probes (Vista+).
    defaults: { idle: vals ? 7_200_000 : 7200, interval: vals ? 1000 : 1, count: 10 },
    tcpInfo: (features & FEATURE.tcpInfo) !== 0,
    serverInheritance: false, // not known to hold on Windows: each accepted socket is configured
    inherited: NONE,
    exactRanges: false,
  };
}

/**
 * The rules of `platform` given the native probe's feature bits (`constants.features`; only
 * FreeBSD and Windows depend on them). Pure: the same arguments give an equal, frozen result.
 * Platforms the package does not know get Linux's rules without listener inheritance.
 */
export function rulesFor(platform: NodeJS.Platform, features: number): PlatformRules {
  switch (platform) {
    case 'linux': return LINUX;
    case 'darwin': return DARWIN;
    case 'freebsd': return Object.freeze(freebsd(features));
    case 'win32': return Object.freeze(windows(features));
    default: return Object.freeze({ ...LINUX, platform, serverInheritance: false, inherited: NONE, exactRanges: false });
  }
}

/** What capabilities() reports for a set of rules. */
export function capabilitiesFor(r: PlatformRules): Capabilities {
  return Object.freeze({
    platform: r.platform,
    idle: r.settable.idle,
    interval: r.settable.interval,
    count: r.settable.count,
    userTimeout: r.settable.userTimeout,
    tcpInfo: r.tcpInfo,
    readBack: Object.values(r.readFrom).every((source) => source === 'kernel'),
    readFrom: Object.freeze({ ...r.readFrom }),
    serverInheritance: r.serverInheritance,
    limits: Object.freeze({
      idleGranularity: r.idleUnitMs,
      intervalGranularity: r.intervalUnitMs,
      maxIdle: r.maxIdleUnits * r.idleUnitMs,
      maxInterval: r.maxIntervalUnits * r.intervalUnitMs,
      maxCount: r.maxCount,
      maxUserTimeout: r.maxUserTimeoutUnits * r.userTimeoutUnitMs,
      userTimeoutGranularity: r.userTimeoutUnitMs,
    }),
  });
}

// Only FreeBSD and Windows need the probe (it opens throwaway sockets): Linux and macOS rules are
// fixed.
const probed = process.platform === 'freebsd' || process.platform === 'win32' ? probeFeatures() : 0;

/** The running platform's rules. */
export const rules: PlatformRules = rulesFor(process.platform, probed);

const frozenCapabilities: Capabilities = capabilitiesFor(rules);

/**
 * Whether a configuration with these fields (mask bits, FIELDS order) set on a listening socket
 * reaches every socket it accepts on the running platform (or `r`'s).
 */
export function listenerPassesOn(mask: number, r: PlatformRules = rules): boolean {
  return r.serverInheritance && FIELDS.every((field, bit) => (mask & (1 << bit)) === 0 || r.inherited[field]);
}

/** What the running platform supports. The returned object is frozen. */
export function capabilities(): Capabilities {
  return frozenCapabilities;
}
