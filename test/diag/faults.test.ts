// Probes and causes of death against the real kernel: each scenario runs in a child process
// inside a private network namespace where nft black-holes (or rejects) the peer's port.
import { execFileSync } from 'node:child_process';
import { describeAsRoot } from '../helpers/privileges';
import { runFixture, type FixtureEvent } from './fixtures/run';

const NS = `tka5-${process.pid}-faults`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' });
}

async function scenario(name: string): Promise<FixtureEvent[]> {
  try {
    const { events, code, stderr } = await runFixture('scenario.ts', [name], { prefix: ['ip', 'netns', 'exec', NS] });
    if (code !== 0) throw new Error(`scenario ${name} exited ${code}: ${stderr}\n${JSON.stringify(events)}`);
    return events;
  } finally {
    execFileSync('ip', ['netns', 'exec', NS, 'nft', 'flush', 'ruleset']);
  }
}

const byName = (events: FixtureEvent[], name: string): FixtureEvent[] => events.filter((e) => e.event === name);

/** Namespaces left by runs that were killed before afterAll (their pid is gone). */
function removeStale(): void {
  for (const name of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0])) {
    const pid = /^tka5-(\d+)-/.exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      ip('netns', 'del', name);
    }
  }
}

describeAsRoot('monitor and cause of death in a namespace blackhole', () => {
  beforeAll(() => {
    removeStale();
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    // Per-namespace: unacknowledged data gives up after ~7 s instead of ~15 min.
    ip('netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.tcp_retries2=3');
  });
  afterAll(() => {
    try {
      ip('netns', 'del', NS);
    } catch {
      // already gone
    }
  });

  it('reports each keepalive probe as it is sent, as ss sees it, then keepalive-timeout', async () => {
    const events = await scenario('keepalive'); // idle 1 s, interval 1 s, count 3
    const probing = byName(events, 'probing');
    expect(probing.map((e) => e.probesOut)).toEqual([1, 2, 3]);
    for (const e of probing) {
      // The independent observer (ss, inside the namespace) agrees on timer and probes out.
      expect(e.ss).toMatchObject({ name: 'keepalive', retrans: e.probesOut });
      // ss ran after the dump, so its countdown is at most ours and within the same interval.
      const ssExpires = (e.ss as { expiresMs: number }).expiresMs;
      expect(ssExpires).toBeLessThanOrEqual((e.expiresIn as number) + 20);
      expect((e.expiresIn as number) - ssExpires).toBeLessThan(1000);
      expect(e.tcpiProbes).toBe(e.probesOut);
      expect(e.live).toMatchObject({ timer: 'keepalive', probesOut: e.probesOut });
      expect(e.expiresIn).toBeGreaterThan(0);
      expect(e.expiresIn).toBeLessThanOrEqual(1000);
    }
    // Early warning: the first probe is reported ~idle after the block, well before death.
    expect(probing[0].t).toBeGreaterThan(700);
    expect(probing[0].t).toBeLessThan(2500);
    const [dead] = byName(events, 'dead');
    expect(dead).toMatchObject({
      cause: 'keepalive-timeout',
      code: 'ETIMEDOUT',
      configured: { enable: true, idle: 1000, interval: 1000, count: 3, userTimeout: 0 },
      atDeath: { state: 'CLOSE', probes: 3 },
      lastSnapshot: { timer: 'keepalive', probesOut: 3 },
    });
    // Death = idle + count x interval after the last segment received (4 s here).
    expect(dead.elapsedSinceLastReceive).toBeGreaterThanOrEqual(3800);
    expect(dead.elapsedSinceLastReceive).toBeLessThan(6500);
    expect(dead.t).toBeGreaterThan(probing[2].t);
  });

  it('classifies a death decided by TCP_USER_TIMEOUT while probing as user-timeout', async () => {
    const events = await scenario('user-timeout'); // count 9, user timeout 2.5 s
    const [dead] = byName(events, 'dead');
    expect(dead).toMatchObject({ cause: 'user-timeout', code: 'ETIMEDOUT', configured: { count: 9, userTimeout: 2500 } });
    // KEEPCNT (9) never ran out: the user timeout ended it after a few probes.
    expect((dead.atDeath as { probes: number }).probes).toBeGreaterThanOrEqual(1);
    expect((dead.atDeath as { probes: number }).probes).toBeLessThan(9);
    expect(dead.elapsedSinceLastReceive).toBeGreaterThanOrEqual(2500);
    expect(dead.elapsedSinceLastReceive).toBeLessThan(5000);
  });

  it('classifies unacknowledged data running out of retransmissions as retransmit-timeout', async () => {
    const events = await scenario('retransmit'); // no keepalive, tcp_retries2 = 3
    expect(byName(events, 'probing')).toHaveLength(0);
    const [dead] = byName(events, 'dead');
    expect(dead).toMatchObject({
      cause: 'retransmit-timeout',
      code: 'ETIMEDOUT',
      configured: { enable: false, userTimeout: 0 },
      atDeath: { state: 'CLOSE', probes: 0 },
      lastSnapshot: { timer: 'retransmit', probesOut: 0, unacked: 1 },
    });
  });

  it('classifies an ICMP host-unreachable answer as unreachable', async () => {
    const events = await scenario('unreachable');
    const [dead] = byName(events, 'dead');
    expect(dead).toMatchObject({ cause: 'unreachable', code: 'EHOSTUNREACH', atDeath: { state: 'CLOSE' } });
  });

  it("emits 'recovered' when the peer answers probes again, and the connection lives on", async () => {
    const events = await scenario('recover'); // unblocks after the 2nd probe
    expect(byName(events, 'probing').map((e) => e.probesOut)).toEqual([1, 2]);
    const [recovered] = byName(events, 'recovered');
    expect(recovered).toMatchObject({ probesOut: 0 });
    expect(recovered.t).toBeGreaterThan(byName(events, 'unblocked')[0].t);
    expect(byName(events, 'alive')[0]).toMatchObject({ destroyed: false, live: { timer: 'keepalive', probesOut: 0 } });
    expect(byName(events, 'dead')).toHaveLength(0);
  });
});
