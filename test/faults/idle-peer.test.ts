// Case 1 and the control: the peer vanishes without a FIN while the connection is idle.
import { describeAsRoot } from '../helpers/privileges';
import { FAST, silentPeer } from './cases';
import { detectionBound } from './scenario';
import { expectDetectedNear } from './expect-timing';

const BOUND = detectionBound(FAST); // 2 s + 3 x 1 s

describeAsRoot('dead peer on an idle connection (network namespaces)', () => {
  it.concurrent.each(['link-down', 'drop', 'blackhole'] as const)(
    'peer gone by %s: ETIMEDOUT at idle + count x interval, probes rising 1, 2, 3',
    async (method) => {
      const result = await silentPeer(method, FAST);
      expect(result.code).toBe('ETIMEDOUT');
      expectDetectedNear(result.detectedMs, BOUND);
      expect(result.probes).toEqual([1, 2, 3]);
      // Probe k goes out at idle + (k - 1) x interval after the last data received.
      result.probeTimes.forEach((at, k) => expectDetectedNear(at, FAST.idle! + k * FAST.interval!));
      // Independent observers: the kernel's own counter in host a, and what reached host b.
      expect(result.probesSent).toBe(3);
      if (method === 'drop') expect(result.dropped).toBe(3 + 1); // three probes, then the abort's RST
    },
    20000,
  );

  it.concurrent('control: with keepalive off the same cut goes unnoticed for the whole window', async () => {
    const result = await silentPeer('link-down', undefined, 1500);
    expect(result.code).toBeNull();
    expect(result.probesSent).toBe(0);
    expect(result.finalInfo?.state).toBe('ESTABLISHED');
    expect(result.finalInfo?.probes).toBe(0);
  }, 20000);
});
