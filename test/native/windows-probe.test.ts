// The Windows feature probe (sockopt_win.cc) cannot run here (wine rejects TCP_MAXRTMS either
// way); this pins what it writes: a value every build that has the option accepts, never the
// value it read (a fresh socket may read TCP_MAXRTMS 0, which Windows refuses, and the probe
// would then report a working option as unsupported).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeConstants } from '../../lib/native';
import { rulesFor } from '../../lib/platform';

const source = readFileSync(join(__dirname, '..', '..', 'src-native', 'sockopt_win.cc'), 'utf8');

describe('the Windows feature probe', () => {
  const match = /kProbeValues\[kFieldCount\]\s*=\s*\{([^}]*)\}/.exec(source);
  const values = (match?.[1] ?? '').split(',').map((v) => Number(v.trim()));

  it('writes a known-good value per option, not the value it read back', () => {
    expect(values).toHaveLength(nativeConstants.fields.length);
    const accepts = /bool Accepts\([^)]*\) \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    expect(accepts).toContain('SetOption(sock, index, kProbeValues[index]');
    expect(accepts).not.toMatch(/SetOption\(sock, index, value/);
  });

  it('each value is inside what the Windows rules allow (TCP_MAXRTMS >= 1 ms, count <= 255)', () => {
    const r = rulesFor('win32', Object.values(nativeConstants.features).reduce((a, b) => a | b, 0));
    const [, idle, interval, count, userTimeout] = values;
    expect(idle).toBeGreaterThanOrEqual(r.minIdleUnits);
    expect(idle).toBeLessThanOrEqual(r.maxIdleUnits);
    expect(interval).toBeGreaterThanOrEqual(r.minIntervalUnits);
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(r.maxCount);
    expect(userTimeout).toBeGreaterThanOrEqual(r.minUserTimeoutUnits);
    expect(userTimeout).toBeLessThanOrEqual(r.maxUserTimeoutUnits);
  });
});
