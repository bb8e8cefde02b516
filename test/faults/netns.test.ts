// The namespace harness itself: isolation, unique names, cleanup on failure, the stale sweep.
import { spawnSync } from 'node:child_process';
import { describeAsRoot } from '../helpers/privileges';
import { NETNS_PREFIX, Namespace, Topology, sh, sweepStaleNamespaces, withTopology } from '../helpers/netns';

const namespaces = (): string[] => sh('ip', ['netns', 'list']).split('\n').map((line) => line.split(' ')[0]).filter(Boolean);

describeAsRoot('network namespace harness', () => {
  it('builds two hosts whose addresses exist only inside their namespaces, with unique names', async () => {
    await withTopology({ router: true }, async (t) => {
      const names = [t.a.ns.name, t.b.ns.name, t.router!.name];
      expect(new Set(names).size).toBe(3);
      for (const name of names) expect(name.startsWith(`${NETNS_PREFIX}${process.pid}-`)).toBe(true);
      expect(sh('ip', ['-4', 'addr'])).not.toContain('10.77.');
      expect(t.a.ns.ip('-4', 'addr', 'show', 'dev', t.a.dev)).toContain(`${t.a.address}/24`);
      // a reaches b through the router, and a cut stops it.
      const peer = await t.agent(t.b);
      const { port } = await peer.request<{ port: number }>('listen', { host: t.b.address });
      const host = await t.agent(t.a);
      const { sock } = await host.request<{ sock: string }>('connect', { host: t.b.address, port });
      expect(await host.request('ping', { sock, timeoutMs: 2000 })).toMatchObject({ echoed: true });
      t.cut('blackhole');
      expect(await host.request('ping', { sock, timeoutMs: 500 })).toMatchObject({ echoed: false });
      t.heal();
      // The retransmission gets through once healed (its timer backs off: allow a few seconds).
      await host.expectEvent('echo after heal', (e) => e.event === 'data' && e.sock === sock && (e.total as number) >= 8, 5000);
    });
  }, 20000);

  it('removes its namespaces and agents even when the body throws', async () => {
    let created: string[] = [];
    await expect(
      withTopology({}, async (t) => {
        created = [t.a.ns.name, t.b.ns.name];
        await t.agent(t.a);
        throw new Error('test failure inside');
      }),
    ).rejects.toThrow('test failure inside');
    expect(created).toHaveLength(2);
    const left = namespaces();
    for (const name of created) expect(left).not.toContain(name);
  }, 20000);

  it('sweeps namespaces left by a crashed run (dead pid) and keeps those of live runs', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = `${NETNS_PREFIX}${dead}-1-a`;
    sh('ip', ['netns', 'add', stale]);
    const mine = Namespace.create('keep');
    try {
      expect(sweepStaleNamespaces()).toContain(stale);
      const left = namespaces();
      expect(left).not.toContain(stale);
      expect(left).toContain(mine.name);
    } finally {
      mine.destroy();
      if (namespaces().includes(stale)) sh('ip', ['netns', 'del', stale]);
    }
  });

  it('reads kernel counters inside a namespace', async () => {
    const t = Topology.create();
    try {
      expect(typeof t.a.ns.keepAliveProbesSent()).toBe('number');
      expect(t.a.ns.counters('Icmp')).toHaveProperty('InDestUnreachs');
      t.cut('drop');
      expect(t.b.ns.nftCounter('dropped')).toBe(0);
    } finally {
      await t.destroy();
    }
  });
});
