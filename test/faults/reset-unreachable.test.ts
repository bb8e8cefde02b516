// Cases 2 and 3: the peer's host answers, but not for the connection (RST), or a router reports
// the host unreachable (ICMP).
import { describeAsRoot } from '../helpers/privileges';
import { FAST, hostUnreachable, peerRebooted } from './cases';
import { detectionBound } from './scenario';
import { expectDetectedNear } from './expect-timing';

describeAsRoot('peer rebooted or unreachable (network namespaces)', () => {
  it.concurrent('rebooted peer: ECONNRESET at the first probe, right after idle', async () => {
    const result = await peerRebooted(FAST);
    expect(result.hiddenResets).toBe(1); // the peer's own RST never reached us
    expect(result.code).toBe('ECONNRESET');
    expectDetectedNear(result.detectedMs, FAST.idle!);
    expect(result.probesSent).toBe(1);
  }, 20000);

  it.concurrent('host-unreachable while idle: the ICMP errors quote keepalive probes and are ignored, ETIMEDOUT at the bound', async () => {
    const result = await hostUnreachable(FAST);
    // The router answered every probe (and maybe, by now, the RST sent at the abort).
    expect(result.icmpUnreachable).toBeGreaterThanOrEqual(3);
    expect(result.icmpUnreachable).toBeLessThanOrEqual(4);
    expect(result.icmpIgnored).toBe(3); // TcpExt.OutOfWindowIcmps: probe seq = snd_una - 1
    expect(result.code).toBe('ETIMEDOUT');
    expectDetectedNear(result.detectedMs, detectionBound(FAST));
    expect(result.probes).toEqual([1, 2, 3]);
  }, 20000);

  it.concurrent('host-unreachable with data in flight: the soft error is reported, EHOSTUNREACH once userTimeout expires', async () => {
    const config = { idle: 1000, interval: 1000, count: 2, userTimeout: 3000 };
    const result = await hostUnreachable(config, 1000);
    expect(result.icmpUnreachable).toBeGreaterThan(0);
    expect(result.icmpIgnored).toBe(0);
    expect(result.code).toBe('EHOSTUNREACH');
    expect(result.probesSent).toBe(0); // keepalive stays silent while data is unacknowledged
    // Measured from the write; see user-timeout.test.ts for why up to 700 ms past userTimeout.
    expectDetectedNear(result.detectedMs, config.userTimeout, 700);
  }, 20000);
});
