// Every platform's policy, run on Linux: rulesFor(platform, features) is pure, so the macOS,
// FreeBSD and Windows tables, their rounding and their refusals (ENOPROTOOPT before any syscall)
// are checked here; the kernels themselves meet them in the release workflow.
import * as native from '../../lib/native';
import { capabilitiesFor, listenerPassesOn, rules, rulesFor } from '../../lib/platform';
import { readOptions } from '../../lib/options';
import { msToUnitsFor, settingsFromUnitsFor } from '../../lib/units';

const F = native.nativeConstants.features;
const ALL_WINDOWS = F.keepIdle | F.keepIntvl | F.keepCnt | F.userTimeout | F.keepAliveVals | F.tcpInfo;
const OLD_WINDOWS = F.keepAliveVals | F.tcpInfo; // before 1703: only SIO_KEEPALIVE_VALS
const UNREADABLE = native.nativeConstants.unreadable;

const linux = rulesFor('linux', 0);
const darwin = rulesFor('darwin', 0);
const freebsd14 = rulesFor('freebsd', F.userTimeout);
const freebsd13 = rulesFor('freebsd', 0);
const win = rulesFor('win32', ALL_WINDOWS);
const winOld = rulesFor('win32', OLD_WINDOWS);

describe('rulesFor(platform, features)', () => {
  it('is what the running platform uses, and pure (frozen, same answer each time)', () => {
    expect(rules).toBe(rulesFor(process.platform, 0));
    expect(rulesFor('win32', ALL_WINDOWS)).toEqual(win);
    for (const r of [linux, darwin, freebsd14, win, winOld]) expect(Object.isFrozen(r)).toBe(true);
  });

  it.each([
    ['linux', true, linux, { idleGranularity: 1000, maxIdle: 32767000, maxCount: 127, userTimeoutGranularity: 1 }],
    ['darwin', false, darwin, { idleGranularity: 1000, maxIdle: 4294967000, maxCount: 2 ** 31 - 1, userTimeoutGranularity: 1000 }],
    ['freebsd 14', true, freebsd14, { idleGranularity: 1000, maxIdle: 4294967000, userTimeoutGranularity: 1000 }],
    ['win32 1709+', false, win, { idleGranularity: 1000, maxIdle: 4294967000, maxCount: 255, userTimeoutGranularity: 1 }],
    ['win32 old', false, winOld, { idleGranularity: 1, maxIdle: 2 ** 31 - 1, maxCount: 255 }],
  ])('%s: limits, and serverInheritance %s', (_name, inheritance, r, limits) => {
    const caps = capabilitiesFor(r);
    expect(caps.limits).toMatchObject(limits);
    expect(caps.serverInheritance).toBe(inheritance);
  });

  it('names each platform\'s options', () => {
    expect(darwin.optionNames).toMatchObject({ idle: 'TCP_KEEPALIVE', userTimeout: 'TCP_RXT_CONNDROPTIME' });
    expect(freebsd14.optionNames).toMatchObject({ idle: 'TCP_KEEPIDLE', userTimeout: 'TCP_MAXUNACKTIME' });
    expect(win.optionNames).toMatchObject({ idle: 'TCP_KEEPIDLE', userTimeout: 'TCP_MAXRTMS' });
    expect(winOld.optionNames).toMatchObject({ idle: 'SIO_KEEPALIVE_VALS', interval: 'SIO_KEEPALIVE_VALS' });
  });

  it('FreeBSD before 14 has no TCP_MAXUNACKTIME; Windows before 1703 reads back only SO_KEEPALIVE', () => {
    expect(capabilitiesFor(freebsd13)).toMatchObject({ userTimeout: false, readFrom: { userTimeout: 'unsupported' } });
    expect(capabilitiesFor(winOld)).toMatchObject({
      idle: true, count: false, userTimeout: false, readBack: false,
      readFrom: { enable: 'kernel', idle: 'remembered', interval: 'remembered', count: 'fixed', userTimeout: 'unsupported' },
    });
    expect(winOld.keepAliveVals).toBe(true);
    expect(rulesFor('win32', F.keepAliveVals).tcpInfo).toBe(false);
  });
});

describe('rounding and ranges of each platform (msToUnitsFor)', () => {
  it.each([
    ['linux', 'idle', 1500, 2, linux],
    ['linux', 'userTimeout', 1500, 1500, linux],
    ['darwin', 'userTimeout', 1500, 2, darwin], // TCP_RXT_CONNDROPTIME is seconds
    ['darwin', 'userTimeout', 0, 0, darwin], // 0 = system default
    ['freebsd', 'interval', 1, 1, freebsd14],
    ['win32 1709+', 'idle', 1001, 2, win],
    ['win32 old', 'idle', 1500, 1500, winOld], // SIO_KEEPALIVE_VALS holds ms
  ] as const)('%s: %s %d ms -> %d units', (_name, field, ms, units, r) => {
    expect(msToUnitsFor(r, field, ms)).toBe(units);
  });

  it.each([
    ['linux', 'idle', 32767001, linux],
    ['linux', 'idle', 0, linux],
    ['darwin', 'idle', 4294967001, darwin],
    ['win32', 'userTimeout', 0, win], // TCP_MAXRTMS 0 is not "system default"
  ] as const)('%s refuses %s = %d with ERR_OUT_OF_RANGE naming the platform', (_name, field, ms, r) => {
    expect(() => msToUnitsFor(r, field, ms)).toThrow(expect.objectContaining({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringContaining(`the ${r.platform} maximum`) as unknown,
    }) as Error);
  });

  it('reads kernel units back as ms; Windows\' unreadable values are the last written or defaults', () => {
    expect(settingsFromUnitsFor(darwin, [1, 30, 5, 3, 2], undefined)).toEqual({ enable: true, idle: 30000, interval: 5000, count: 3, userTimeout: 2000 });
    const unreadable = [1, UNREADABLE, UNREADABLE, UNREADABLE, UNREADABLE] as const;
    expect(settingsFromUnitsFor(winOld, [...unreadable], undefined)).toEqual({ enable: true, idle: 7_200_000, interval: 1000, count: 10, userTimeout: 0 });
    expect(settingsFromUnitsFor(winOld, [...unreadable], { idle: 1500, interval: 250 })).toMatchObject({ idle: 1500, interval: 250 });
  });
});

describe('plans against another platform\'s rules (readOptions(options, rules))', () => {
  it('rounds each field in that platform\'s units', () => {
    expect(readOptions({ idle: 1500, interval: 999, userTimeout: 1500 }, darwin).values).toEqual([1, 2, 1, 0, 2]);
    expect(readOptions({ idle: 1500, interval: 999 }, winOld).values).toEqual([1, 1500, 999, 0, 0]);
  });

  it.each([
    ['freebsd 13', { userTimeout: 1000 }, 'TCP_MAXUNACKTIME', freebsd13],
    ['win32 old', { count: 3 }, 'TCP_KEEPCNT', winOld],
    ['win32 old', { idle: 1000, userTimeout: 1000 }, 'TCP_MAXRTMS', winOld],
  ] as const)('%s: %j is ENOPROTOOPT (%s) from the plan, before any native call', (_name, options, option, r) => {
    const apply = jest.spyOn(native, 'applyValues');
    const read = jest.spyOn(native, 'readValues');
    try {
      expect(() => readOptions(options, r)).toThrow(expect.objectContaining({ code: 'ENOPROTOOPT', syscall: 'setsockopt', option }) as Error);
      expect(apply).not.toHaveBeenCalled();
      expect(read).not.toHaveBeenCalled();
    } finally {
      apply.mockRestore();
      read.mockRestore();
    }
  });

  it('counts above the platform maximum are ERR_OUT_OF_RANGE naming that platform', () => {
    expect(() => readOptions({ count: 256 }, win)).toThrow(/<= 255 \(the win32 maximum\)/);
    expect(readOptions({ count: 256 }, darwin).values[3]).toBe(256);
  });
});

describe('listener inheritance (listenerPassesOn)', () => {
  const BIT = { enable: 1, idle: 2, interval: 4, count: 8, userTimeout: 16 };
  it('Linux passes every field on; macOS and Windows none', () => {
    expect(listenerPassesOn(31, linux)).toBe(true);
    expect(listenerPassesOn(BIT.enable | BIT.idle, darwin)).toBe(false);
    expect(listenerPassesOn(BIT.enable | BIT.idle, win)).toBe(false);
  });

  it('FreeBSD passes idle/interval/count and SO_KEEPALIVE on, not TCP_MAXUNACKTIME', () => {
    expect(capabilitiesFor(freebsd14).serverInheritance).toBe(true);
    expect(listenerPassesOn(BIT.enable | BIT.idle | BIT.interval | BIT.count, freebsd14)).toBe(true);
    expect(listenerPassesOn(BIT.enable | BIT.idle | BIT.userTimeout, freebsd14)).toBe(false);
  });
});
