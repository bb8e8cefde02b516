// Runs the dead-peer fault matrix (test/faults/cases.ts) several times per case and writes the
// measured detection times as a markdown table to docs/faults.md (and to the path given with
// --out, e.g. a README section). Needs root (network namespaces) and a built package (dist/).
//   npm run faults:report [-- --runs 5 --out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { release } from 'node:os';
import { PACKAGE_ROOT } from '../test/helpers/agent';
import { ROWS, type Row } from './faults-rows';

interface Options {
  runs: number;
  parallel: number;
  outs: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 3, parallel: 4, outs: [] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--runs') options.runs = Number(value);
    else if (argv[i] === '--parallel') options.parallel = Number(value);
    else if (argv[i] === '--out') options.outs.push(value);
    else throw new Error(`unknown argument ${argv[i]} (use --runs N, --parallel N, --out FILE)`);
    i++;
  }
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 20) throw new Error('--runs must be 1..20');
  if (!Number.isInteger(options.parallel) || options.parallel < 1 || options.parallel > 8) throw new Error('--parallel must be 1..8');
  return options;
}

interface Sample {
  ms: number | null;
  outcome: string;
}

/** Runs `jobs` with at most `limit` at a time (cases are mostly waiting on kernel timers). */
async function runLimited<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2) + ' s';

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function tableRow(row: Row, samples: Sample[]): string {
  const times = samples.map((s) => s.ms).filter((ms): ms is number => ms !== null);
  const outcomes = [...new Set(samples.map((s) => s.outcome))].join(' / ');
  const measured = times.length
    ? [seconds(median(times)), seconds(Math.min(...times)), seconds(Math.max(...times))]
    : ['—', '—', '—'];
  const cells = [row.id, row.fault, row.configuration, row.bound, ...measured, outcomes, String(samples.length)];
  return `| ${cells.join(' | ')} |`;
}

const NOTES = `What the figures show (each is also asserted by a test in \`test/faults/\`):

- A silent peer is declared dead at idle + count x interval after the last segment received,
  late by the kernel timer's slack only (tens of ms), never early. Without keepalive the same
  cut goes unnoticed (Linux default: 2 h + 9 x 75 s).
- A rebooted peer (host up, connection gone) is detected at the first probe: \`ECONNRESET\`.
- ICMP host-unreachable sent in reply to a keepalive probe is ignored by Linux: it quotes the
  probe's sequence number (one below the unacknowledged edge), which is out of window
  (\`TcpExt.OutOfWindowIcmps\`). An idle connection therefore still ends with \`ETIMEDOUT\` at the
  keepalive bound. With data in flight the ICMP is accepted as a soft error and reported
  instead of a timeout: \`EHOSTUNREACH\`.
- Keepalive sends no probe while data is unacknowledged; only \`userTimeout\` bounds that case.
  The expiry is noticed by the retransmission timer, about 0.4 s after \`userTimeout\` here.
- On an idle connection \`userTimeout\` replaces \`count\` once a probe is out: death comes at the
  first probe tick at or after \`userTimeout\`, earlier or later than the count alone would give.
- A stateful middlebox forgets idle flows; probing more often than its idle timeout keeps the
  flow alive, while a connection without keepalive is dead without either end knowing.

\`\`\`js
const { setKeepAlive } = require('tcp-keepalive');
// Declare a silent peer dead 5 s after the last segment received (2 s idle + 3 x 1 s probes),
// and bound unacknowledged data too (keepalive does not probe while data is in flight).
setKeepAlive(socket, { idle: 2000, interval: 1000, count: 3, userTimeout: 5000 });
\`\`\`
`;

function render(lines: string[], options: Options): string {
  return [
    '| # | Fault | Configuration | Configured bound | Median | Min | Max | Outcome | Runs |',
    '|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
    `Measured on Linux ${release()}, Node ${process.version}, ${options.runs} run(s) per case, between two`,
    'network namespaces joined by veth (a router namespace between them for the blackhole, ICMP',
    'and middlebox cases). Times count from the last data the side under test received (cases 5',
    'and 3b: from the write). Regenerate with `npm run faults:report` (root).',
    '',
    NOTES,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('faults:report needs root (it creates network namespaces)');
  const jobs = ROWS.flatMap((row, index) =>
    Array.from({ length: options.runs }, () => async (): Promise<[number, Sample]> => {
      const sample = await row.run();
      process.stderr.write(`${row.id} ${row.fault}: ${sample.ms === null ? '—' : seconds(sample.ms)} ${sample.outcome}\n`);
      return [index, sample];
    }),
  );
  const results = await runLimited(jobs, options.parallel);
  const lines = ROWS.map((row, index) => tableRow(row, results.filter(([i]) => i === index).map(([, s]) => s)));
  const table = render(lines, options);
  const doc = path.join(PACKAGE_ROOT, 'docs', 'faults.md');
  mkdirSync(path.dirname(doc), { recursive: true });
  writeFileSync(doc, ['# Dead-peer detection: measured', '', table].join('\n'));
  for (const out of options.outs) writeFileSync(out, ['## What detection costs', '', table].join('\n'));
  process.stdout.write(table);
}

main().catch((error: Error) => {
  process.stderr.write(`faults:report failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
