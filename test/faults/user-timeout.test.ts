// Cases 5 and 6: TCP_USER_TIMEOUT, with data in flight (where keepalive cannot help) and on an
// idle connection (where it replaces the probe count once a probe is out).
import { describeAsRoot } from '../helpers/privileges';
import { dataInFlight, silentPeer } from './cases';
import { detectionBound } from './scenario';
import { expectDetectedNear } from './expect-timing';

const KEEPALIVE = { idle: 1000, interval: 1000, count: 2 }; // would detect an idle death at 3 s

describeAsRoot('user timeout (network namespaces)', () => {
  it.concurrent('data in flight: keepalive alone never fires, the connection still hangs at 2x its bound', async () => {
    const cutoff = 2 * detectionBound(KEEPALIVE);
    const result = await dataInFlight(KEEPALIVE, cutoff);
    expect(result.code).toBeNull();
    expect(result.probesSent).toBe(0);
    expect(result.finalInfo?.state).toBe('ESTABLISHED');
    expect(result.finalInfo?.unacked).toBeGreaterThan(0);
    expect(result.finalInfo?.retransmits).toBeGreaterThanOrEqual(3); // the retransmit timer owns it
  }, 20000);

  it.concurrent('data in flight with userTimeout 3 s: ETIMEDOUT shortly after userTimeout', async () => {
    const result = await dataInFlight({ ...KEEPALIVE, userTimeout: 3000 }, 6000);
    expect(result.code).toBe('ETIMEDOUT');
    expect(result.probesSent).toBe(0);
    // Linux 6.18 counts the user timeout from the first retransmission (write + RTO) and notices
    // the expiry at the next retransmit timer: measured 3.42 s for 3 s (RTO 204 ms). 700 ms of
    // slack covers three initial RTOs; without userTimeout it would hang for ~15 min (case above).
    expect(result.initialRto).toBeLessThan(300);
    expectDetectedNear(result.detectedMs, 3000, 700);
  }, 20000);

  it.concurrent.each([
    { idle: 2000, interval: 1000, count: 9, userTimeout: 2500 }, // count would allow 11 s
    { idle: 2000, interval: 1000, count: 2, userTimeout: 5000 }, // count would stop at 4 s
  ])('idle connection, %o: userTimeout replaces count once a probe is out', async (config) => {
    const result = await silentPeer('link-down', config);
    expect(result.code).toBe('ETIMEDOUT');
    const bound = detectionBound(config); // first probe tick at or after userTimeout
    expect(bound).not.toBe(detectionBound({ ...config, userTimeout: 0 }));
    expectDetectedNear(result.detectedMs, bound);
    const ticks = (bound - config.idle) / config.interval; // probes sent before death
    expect(result.probesSent).toBe(ticks);
    expect(result.probes).toEqual(Array.from({ length: ticks }, (_, i) => i + 1));
  }, 20000);
});
