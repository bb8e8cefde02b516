// capabilities() and the per-platform policy, as they must be on Linux; the Windows fallback and
// the other platforms are exercised by scripts/prebuild-all.js (wine) and the prebuild workflow.
import * as os from 'node:os';
import { capabilities } from '../../lib';
import { nativeConstants, probeFeatures } from '../../lib/native';
import { rules } from '../../lib/platform';
import { forPlatform } from '../../lib/configure';
import { optionNotSupported } from '../../lib/errors';
import { readOptions } from '../../lib/options';

describe('capabilities() on Linux', () => {
  it('reads every value back from the kernel and states every granularity', () => {
    expect(capabilities()).toMatchObject({
      readBack: true,
      readFrom: { enable: 'kernel', idle: 'kernel', interval: 'kernel', count: 'kernel', userTimeout: 'kernel' },
      limits: { idleGranularity: 1000, intervalGranularity: 1000, userTimeoutGranularity: 1 },
    });
    expect(Object.isFrozen(capabilities().readFrom)).toBe(true);
  });

  it('agrees with what the kernel accepts when each option is tried (native probe)', () => {
    const features = probeFeatures();
    // Bits of enum Feature (keepalive.h): idle, interval, count, user timeout, -, TCP_INFO.
    expect(features & 0b101111).toBe(0b101111);
    expect(Object.values(rules.settable).every(Boolean)).toBe(true);
  });

  it('passes plans through, marked validated (exact Linux ranges: no rollback reads; SIO_KEEPALIVE_VALS is Windows-only)', () => {
    const config = readOptions({ idle: 1500 });
    expect(forPlatform({ fd: 0, handle: {}, kind: 'socket' }, config)).toEqual({
      mask: config.mask | nativeConstants.validated,
      values: config.values,
    });
  });
});

describe('optionNotSupported', () => {
  it('is a system-style ENOPROTOOPT error with the errno Node uses on this platform', () => {
    const error = optionNotSupported('count', 'TCP_KEEPCNT');
    expect(error).toMatchObject({ code: 'ENOPROTOOPT', syscall: 'setsockopt', option: 'TCP_KEEPCNT' });
    expect(error.errno).toBe(-os.constants.errno.ENOPROTOOPT);
    expect(error.message).toContain('"count"');
  });
});
