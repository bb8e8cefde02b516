// Case 4: an outage shorter than interval x count must not kill the connection.
import { describeAsRoot } from '../helpers/privileges';
import { FAST, temporaryOutage } from './cases';
import { expectDetectedNear } from './expect-timing';

describeAsRoot('temporary outage (network namespaces)', () => {
  it('two probes lost, the third answered: the connection survives and probes return to 0', async () => {
    const result = await temporaryOutage(FAST, 2);
    expect(result.peakProbes).toBe(2);
    // Healed after probe 2 (idle + interval): probe 3, at idle + 2 x interval, is answered.
    expectDetectedNear(result.recoveredMs, FAST.idle! + 2 * FAST.interval!);
    expect(result.errorCode).toBeNull();
    expect(result.finalInfo.state).toBe('ESTABLISHED');
    expect(result.finalInfo.probes).toBe(0);
    expect(result.echoAfterHeal).toBe(true);
  }, 20000);
});
