// Benchmark 4: memory over 1,000,000 configure + read cycles, addon load time, binary size.
// Run with --expose-gc (run.ts does) so every sample is taken after a full collection.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setKeepAlive, getKeepAlive, getTcpInfo } from '../lib';
import { median } from './harness';
import { openConnection } from './connection';
import { main, table, type Section } from './report';

const CYCLES = 1_000_000;
const SAMPLE_EVERY = 100_000;
const LOAD_RUNS = 15;
const ROOT = join(__dirname, '..');
const ADDON = join(ROOT, 'build', 'Release', 'tcp_keepalive.node');

interface Sample {
  cycles: number;
  rss: number;
  heapUsed: number;
  external: number;
}

function sample(cycles: number): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { cycles, rss, heapUsed, external };
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

async function cycles(): Promise<Sample[]> {
  const { client, close } = await openConnection();
  const plans = [
    { idle: 60_000, interval: 10_000, count: 5, userTimeout: 30_000 },
    { idle: 61_000, interval: 10_000, count: 5, userTimeout: 30_000 },
  ];
  const cycle = (i: number): void => {
    setKeepAlive(client, plans[i & 1]);
    getKeepAlive(client);
    getTcpInfo(client);
  };
  for (let i = 0; i < 20_000; i++) cycle(i); // warm-up: JIT and lazily created state settle
  const samples = [sample(0)];
  for (let done = 0; done < CYCLES; ) {
    for (let i = 0; i < SAMPLE_EVERY; i++) cycle(done + i);
    done += SAMPLE_EVERY;
    samples.push(sample(done));
  }
  close();
  return samples;
}

/** Median time, in a fresh process each, to dlopen + initialise the addon (and via node-gyp-build). */
function loadTimes(): { dlopen: number; nodeGypBuild: number } {
  const script = `
    const module = { exports: {} };
    const t0 = process.hrtime.bigint();
    process.dlopen(module, ${JSON.stringify(ADDON)});
    const t1 = process.hrtime.bigint();
    process.stdout.write(String(Number(t1 - t0) / 1e6));`;
  const viaLoader = `
    const load = require('node-gyp-build');
    const t0 = process.hrtime.bigint();
    load(${JSON.stringify(ROOT)});
    const t1 = process.hrtime.bigint();
    process.stdout.write(String(Number(t1 - t0) / 1e6));`;
  const measure = (source: string): number =>
    median(Array.from({ length: LOAD_RUNS }, () => Number(execFileSync(process.execPath, ['-e', source], { cwd: ROOT, encoding: 'utf8' }))));
  return { dlopen: measure(script), nodeGypBuild: measure(viaLoader) };
}

function binarySizes(): { built: number; stripped: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-keepalive-size-'));
  try {
    const copy = join(dir, 'tcp_keepalive.node');
    copyFileSync(ADDON, copy);
    execFileSync('strip', ['--strip-unneeded', copy]);
    return { built: statSync(ADDON).size, stripped: statSync(copy).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<Section> {
  const samples = await cycles();
  const first = samples[0];
  const last = samples[samples.length - 1];
  const peakRss = Math.max(...samples.map((s) => s.rss));
  // The first 100,000 cycles let the heap's spaces settle at their working size; after that
  // any growth would be a leak.
  const settled = samples[1];
  const rssGrowth = last.rss - settled.rss;
  const heapGrowth = last.heapUsed - settled.heapUsed;
  const load = loadTimes();
  const size = binarySizes();
  return {
    title: '4. Memory, load time, binary size',
    lines: [
      `${CYCLES.toLocaleString('en-US')} cycles of setKeepAlive (5 options, values alternating) + getKeepAlive + getTcpInfo on one connection; ` +
        'each figure after two forced full GCs:',
      '',
      ...table(
        ['After cycles', 'RSS MB', 'heapUsed MB', 'external MB'],
        samples
          .filter((s, i) => i <= 1 || s.cycles % (SAMPLE_EVERY * 2) === 0 || s === last)
          .map((s) => [s.cycles.toLocaleString('en-US'), mb(s.rss), mb(s.heapUsed), mb(s.external)]),
      ),
      '',
      `Start to end: RSS ${mb(last.rss - first.rss)} MB, heapUsed ${kb(last.heapUsed - first.heapUsed)} KB, ` +
        `external ${kb(last.external - first.external)} KB. ` +
        `From ${SAMPLE_EVERY.toLocaleString('en-US')} cycles (spaces settled) to the end: RSS ${mb(rssGrowth)} MB ` +
        `(peak ${mb(peakRss)} MB), heapUsed ${kb(heapGrowth)} KB. The process also holds the TypeScript compiler ` +
        '(bench/register.js), hence the RSS baseline.',
      '',
      ...table(
        ['Addon', 'value'],
        [
          [`load: process.dlopen + init of build/Release/tcp_keepalive.node (median of ${LOAD_RUNS} fresh processes)`, `${load.dlopen.toFixed(2)} ms`],
          ['load: through node-gyp-build (lookup + dlopen + init), as lib/native.ts does', `${load.nodeGypBuild.toFixed(2)} ms`],
          ['binary size as built', `${kb(size.built)} KB`],
          ['binary size stripped (`strip --strip-unneeded`, as `prebuildify --strip`)', `${kb(size.stripped)} KB`],
        ],
      ),
    ],
    targets: [
      { what: 'heapUsed growth, 100k to 1M cycles, KB (noise limit 512 KB)', measured: heapGrowth / 1024, limit: 512 },
      { what: 'RSS growth, 100k to 1M cycles, MB (noise limit 2 MB)', measured: rssGrowth / 2 ** 20, limit: 2 },
    ],
  };
}

main(run);
