// capabilities() and the per-platform policy, as they must be on Linux; the Windows fallback and
// the other platforms are exercised by scripts/prebuild-all.js (wine) and the prebuild workflow.
import * as os from 'node:os';
import { capabilities } from '../../lib';
import { native } from '../../lib/binding';
import { limits } from '../../lib/platform';
import { platformPlan } from '../../lib/remembered';
import { optionNotSupported } from '../../lib/errors';
import { planFromOptions } from '../../lib/options';

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
    const features = native.probe();
    // Bits of enum Feature (keepalive.h): idle, interval, count, user timeout, -, TCP_INFO.
    expect(features & 0b101111).toBe(0b101111);
    expect(Object.values(limits.settable).every(Boolean)).toBe(true);
  });

  it('passes plans through unchanged (SIO_KEEPALIVE_VALS is a Windows-only path)', () => {
    const plan = planFromOptions({ idle: 1500 });
    expect(platformPlan({}, plan)).toBe(plan);
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
