// The monitor's keepalive warnings against a silent peer on the real kernel: each scenario runs
// in a child process inside a private network namespace (test/helpers/netns.ts: removed after the
// tests, at exit, and by the next run if this one was killed) where nft drops the peer's traffic.
// Needs root (namespaces, nft).
import { describeAsRoot } from '../helpers/privileges';
import { Namespace, sweepStaleNamespaces } from '../helpers/netns';
import { runFixture, type FixtureEvent } from './fixtures/run';

const byEvent = (events: FixtureEvent[], name: string, sock?: string): FixtureEvent[] =>
  events.filter((e) => e.event === name && (sock === undefined || e.sock === sock));

describeAsRoot('monitor warnings against a silent peer (namespace, nft)', () => {
  let ns: Namespace;

  beforeAll(() => {
    sweepStaleNamespaces();
    ns = Namespace.create('mon');
    // Per namespace: unacknowledged data gives up after ~7 s instead of ~15 min.
    ns.sysctl('net.ipv4.tcp_retries2', 3);
  });
  afterAll(() => ns?.destroy());

  async function scenario(name: string): Promise<FixtureEvent[]> {
    try {
      const { events, code, stderr } = await runFixture('warnings.ts', [name], { prefix: ['ip', 'netns', 'exec', ns.name], timeoutMs: 25000 });
      if (code !== 0 || byEvent(events, 'crash').length > 0) throw new Error(`scenario ${name} exited ${code}: ${stderr}\n${JSON.stringify(events)}`);
      return events;
    } finally {
      ns.exec('nft', ['flush', 'ruleset']);
    }
  }

  it("writing into a probing connection is 'stalled', not 'recovered', until the peer ACKs", async () => {
    const events = await scenario('stalled'); // idle 1 s, interval 1 s, count 9; data at probe 2
    for (const sock of ['c0', 'c1']) {
      expect(byEvent(events, 'probing', sock).map((e) => e.probesOut)).toEqual([1, 2]);
      const [wrote] = byEvent(events, 'wrote', sock);
      const stalled = byEvent(events, 'stalled', sock);
      expect(stalled).toHaveLength(1);
      // The kernel moved from the keepalive to the retransmit timer (probesOut reads 0 there),
      // but tcpi_probes still counts the unanswered probes and the data is unacknowledged.
      expect(stalled[0]).toMatchObject({ timer: 'retransmit', probesOut: 0, tcpiProbes: 2, unacked: 1 });
      expect(stalled[0].t).toBeGreaterThanOrEqual(wrote.t);
      expect(stalled[0].t - wrote.t).toBeLessThan(500);
    }
    // Nothing was received before the block was lifted: no 'recovered' until then.
    const [unblocked] = byEvent(events, 'unblocked', 'c0');
    expect(unblocked.t - (byEvent(events, 'stalled', 'c0')[0].t)).toBeGreaterThanOrEqual(1400);
    const recovered = byEvent(events, 'recovered');
    expect(recovered.map((e) => e.sock)).toEqual(['c0']);
    // 'recovered' means the peer answered: a fresh ACK for the data, probes cleared.
    expect(recovered[0].t).toBeGreaterThan(unblocked.t);
    expect(recovered[0]).toMatchObject({ tcpiProbes: 0, unacked: 0 });
    expect(recovered[0].lastAckReceived).toBeLessThan(recovered[0].t - unblocked.t + 20);
    expect(byEvent(events, 'alive', 'c0')).toEqual([expect.objectContaining({ destroyed: false })]);
    // c1 never heard back: tcp_retries2 (3 here) ended it; keepalive had no say any more, so the
    // cause is the retransmissions although tcpi_probes still read 2 at death.
    const dead = byEvent(events, 'dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      sock: 'c1',
      cause: 'retransmit-timeout',
      code: 'ETIMEDOUT',
      atDeath: { state: 'CLOSE', probes: 2 },
      lastSnapshot: { timer: 'retransmit' },
    });
  });

  it("reports 'dead' (keepalive-timeout) for a TLS server connection killed before its handshake", async () => {
    const events = await scenario('tls-handshake'); // server-side idle 1 s, interval 1 s, count 2
    expect(byEvent(events, 'watching')[0]).toMatchObject({ size: 1 });
    // Before the handshake the monitor watches the raw socket under the TLSSocket.
    expect(byEvent(events, 'probing').map((e) => [e.sock, e.probesOut])).toEqual([['raw', 1], ['raw', 2]]);
    expect(byEvent(events, 'tlsClientError')).toEqual([expect.objectContaining({ code: 'ETIMEDOUT' })]);
    const dead = byEvent(events, 'dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      sock: 'tls',
      tls: true,
      cause: 'keepalive-timeout',
      code: 'ETIMEDOUT',
      atDeath: { state: 'CLOSE', probes: 2 },
      lastSnapshot: { timer: 'keepalive', probesOut: 2 },
      configured: { enable: true, idle: 1000, interval: 1000, count: 2 },
    });
    expect(dead[0].elapsedSinceLastReceive).toBeGreaterThanOrEqual(2800);
    expect(byEvent(events, 'after')[0]).toMatchObject({ size: 0 });
  });
});
