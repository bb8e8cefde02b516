// 10,000 connections in one snapshot: count and 4-tuples match the sockets opened, in order.
// Runs in a child whose open-file limit the shell raises first (the fixture holds 10,000
// descriptors, its peer process another 10,000).
import { runFixture } from './fixtures/run';

const COUNT = 10000;
const RAISE_LIMIT = ['sh', '-c', 'ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', 'sh'];

describe('snapshot at scale', () => {
  it(`returns all ${COUNT} connections from one dump, matching count and 4-tuples`, async () => {
    const { events, code, stderr } = await runFixture('scale.ts', [String(COUNT)], { prefix: RAISE_LIMIT, timeoutMs: 100000 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = events[0] as unknown as {
      port: number; opened: string[]; given: string[]; givenEstablished: number; distinctInodes: number; own: string[];
      probe: { snapshot: { timer: string; expiresIn: number }; live: { timer: string; expiresIn: number }; elapsed: number };
    };
    expect(result.opened).toHaveLength(COUNT);
    expect(result.given).toEqual(result.opened); // same count, same 4-tuples, same order
    expect(result.givenEstablished).toBe(COUNT);
    expect(result.distinctInodes).toBe(COUNT);
    expect(result.probe.snapshot.timer).toBe('keepalive');
    expect(result.probe.live.timer).toBe('keepalive');
    // Same timer: the live read is the snapshot's value minus the time between the two reads.
    const drift = result.probe.snapshot.expiresIn - result.probe.live.expiresIn - result.probe.elapsed;
    expect(Math.abs(drift)).toBeLessThan(500);
    // No argument: exactly this process's connections; none of the peer's 10,000 ends.
    expect([...result.own].sort()).toEqual([...result.opened].sort());
    expect(result.own.some((t) => t.includes(`:${result.port}>`))).toBe(false);
  }, 120000);
});
