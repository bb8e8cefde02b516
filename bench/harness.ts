// The shared measuring loop: warm-up, then repeated rounds in which every contender runs once
// (in rotating order, so drift and noise hit all of them alike), then medians. Ratios are taken
// per round and their median reported: both sides of a ratio come from the same moment.

/** Runs `ops` operations and returns nanoseconds per operation. */
export type Contender = (ops: number) => number;

export interface RunOptions {
  rounds: number;
  warmupRounds: number;
  opsPerRound: number;
}

export interface Measurement {
  /** Median ns/op over the rounds. */
  median: number;
  /** ns/op of each round, in round order. */
  perRound: number[];
}

export const DEFAULT_RUN: RunOptions = { rounds: 15, warmupRounds: 3, opsPerRound: 10_000 };

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times `ops` calls of `operation` (given the call index) and returns ns per call. */
export function timeOps(ops: number, operation: (index: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) operation(i);
  return Number(process.hrtime.bigint() - start) / ops;
}

/** Measures all contenders in the same rounds. */
export function compare(contenders: Record<string, Contender>, run: RunOptions = DEFAULT_RUN): Record<string, Measurement> {
  const names = Object.keys(contenders);
  const perRound: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < run.warmupRounds + run.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const nsPerOp = contenders[name](run.opsPerRound);
      if (!(nsPerOp > 0)) throw new Error(`${name} failed in round ${round} (returned ${nsPerOp})`);
      if (round >= run.warmupRounds) perRound[name].push(nsPerOp);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { median: median(perRound[name]), perRound: perRound[name] }]));
}

/** Median over rounds of a.perRound[i] / b.perRound[i]. */
export function ratio(a: Measurement, b: Measurement): number {
  return median(a.perRound.map((value, i) => value / b.perRound[i]));
}
