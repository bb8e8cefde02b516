// Worker teardown never takes the process down: 8 workers call every native entry point (set,
// get, TCP_INFO, snapshot, the netlink lookups, a running monitor, explain, and the raw addon
// calls) and are terminated mid-call, hundreds of times, while the main thread keeps working.
// The workers run in a child process, so an abort (exit 134, "FATAL ERROR: ... napi_throw")
// fails this test instead of killing jest. Runs against the built package (dist/, build/).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const child = join(__dirname, 'fixtures', 'teardown-child.js');

interface Report {
  cycles: number;
  mainCalls: number;
  maxGapMs: number;
  seconds: number;
  rssWarmMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
}

describe('worker teardown', () => {
  it('terminating workers mid-call never aborts the process, stalls the main thread or leaks', () => {
    const run = spawnSync(process.execPath, [child, root, '480', '40000'], {
      encoding: 'utf8',
      timeout: 100_000,
    });
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-20).join('\n');
    // status 134 / signal SIGABRT: the process aborted (what this test exists for).
    expect({ status: run.status, signal: run.signal, tail }).toEqual({
      status: 0,
      signal: null,
      tail: expect.any(String),
    });
    const report = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Report;
    console.log(`worker teardown: ${JSON.stringify(report)}`);
    expect(report.cycles).toBeGreaterThanOrEqual(100);
    // The main thread did set/get/TCP_INFO calls all along, never stalled for long.
    expect(report.mainCalls).toBeGreaterThan(report.cycles);
    expect(report.maxGapMs).toBeLessThan(5000);
    // RSS after every worker is gone stays within twice the RSS after warm-up.
    expect(report.rssWarmMiB).toBeGreaterThan(0);
    expect(report.rssEndMiB).toBeLessThanOrEqual(2 * report.rssWarmMiB);
  }, 120_000);
});
