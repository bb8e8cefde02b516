// Property suite over every public entry point (issue 12, the property-based requirement; defect 5
// and the "never a crash" promise): each case calls one export (or monitor method) of the package
// with an arbitrary value in one argument position — targets, options of every shape, hostile
// values of every JS type — and valid values elsewhere. Invariants, per case:
//   - no crash, no uncaught exception, no unhandled 'error' event;
//   - anything thrown has a string `code`;
//   - the kernel state of the live sockets and the server is unchanged, unless the call succeeded
//     and is one that configures them (setKeepAlive / keepAliveSocket / keepAliveServer).
// Plus TCP_KEEPALIVE parsing: what parseKeepAliveEnv accepts, setKeepAlive applies per the rules.
import * as fc from 'fast-check';
import * as lib from '../../lib';
import { ENTRY_POINTS, argsWith, coveredExports, exportedCallables, invoke, type Context as EntryContext, type EntryPoint, type Role } from '../helpers/entry-points';
import { closedPort } from '../helpers/hardening';
import { anyValue, buildOptions, materialize, optionsSpec, targetValue, type Live, type OptionsSpec, type ValueSpec } from './arbitraries';
import { verdict } from './model';
import { PROPERTY_TIMEOUT, check, coded, reportTally, describeError, invariant, makeContext, readKernel, runs, sameSettings, SEED, type Context } from './harness';

let ctx: Context;
let entryCtx: EntryContext;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  ctx = await makeContext();
  entryCtx = {
    socket: ctx.live.client,
    server: ctx.live.server,
    monitor: lib.monitor({ interval: 60000 }),
    closedPort: await closedPort(),
  };
});
const startedAt = Date.now();
afterAll(async () => {
  reportTally('entry-points.property', startedAt);
  entryCtx.monitor.close();
  await ctx.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('uncaughtException', onUncaught);
});

type ArgSpec = { k: 'value'; spec: ValueSpec } | { k: 'options'; spec: OptionsSpec } | { k: 'array'; items: ValueSpec[] };

const ROLE_ARGS: Partial<Record<Role, fc.Arbitrary<ArgSpec>>> = {
  target: targetValue.map((spec) => ({ k: 'value' as const, spec })),
  socket: targetValue.map((spec) => ({ k: 'value' as const, spec })),
  server: targetValue.map((spec) => ({ k: 'value' as const, spec })),
  options: fc.oneof(
    { weight: 3, arbitrary: optionsSpec.map((spec) => ({ k: 'options' as const, spec })) },
    { weight: 1, arbitrary: anyValue.map((spec) => ({ k: 'value' as const, spec })) },
  ),
  monitorOptions: fc.oneof(
    optionsSpec.map((spec) => ({ k: 'options' as const, spec })),
    anyValue.map((spec) => ({ k: 'value' as const, spec })),
  ),
  sockets: fc.oneof(
    fc.array(targetValue, { maxLength: 3 }).map((items) => ({ k: 'array' as const, items })),
    anyValue.map((spec) => ({ k: 'value' as const, spec })),
  ),
};
const ANY_ARG: fc.Arbitrary<ArgSpec> = anyValue.map((spec) => ({ k: 'value' as const, spec }));

/** A connect-options value never names a real port or path (no connection to anything but a closed port). */
function safeConnectOptions(value: unknown, closed: number): unknown {
  const redirect = { port: closed, host: '127.0.0.1' };
  if (typeof value === 'number' || typeof value === 'bigint') return redirect;
  if (typeof value === 'string') return redirect; // a string is a port or a pipe path for net.connect
  if (value !== null && typeof value === 'object') {
    try {
      if (['port', 'path', 'host', 'lookup', 'socket', 'fd'].some((key) => key in value)) return redirect;
    } catch {
      // hostile object: net.connect will throw on it, which is what is being tested
    }
  }
  return value;
}

function materializeArg(arg: ArgSpec, role: Role, live: Live): unknown {
  let value: unknown;
  if (arg.k === 'options') value = buildOptions(arg.spec, live).options;
  else if (arg.k === 'array') value = arg.items.map((item) => materialize(item, live));
  else value = materialize(arg.spec, live);
  return role === 'connectOptions' ? safeConnectOptions(value, entryCtx.closedPort) : value;
}

const CONFIGURING = new Set(['setKeepAlive', 'keepAliveSocket', 'keepAliveServer']);

const BY_NAME = new Map(ENTRY_POINTS.map((point) => [point.name, point]));

/** [entry point name, argument position, argument]: names keep counterexamples readable. */
const caseArb = fc.constantFrom(...ENTRY_POINTS.map((point) => point.name)).chain((name) => {
  const point = BY_NAME.get(name)!;
  return fc.nat({ max: point.roles.length - 1 }).chain((position) =>
    fc.tuple(fc.constant(name), fc.constant(position), ROLE_ARGS[point.roles[position]] ?? ANY_ARG),
  );
});

function show(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function runEntryCase(point: EntryPoint, position: number, arg: ArgSpec): void {
  const live = ctx.live;
  const role = point.roles[position];
  const value = role === 'none' ? undefined : materializeArg(arg, role, live);
  const args = argsWith(point, entryCtx, position, value);
  const before = readKernel(live);
  const outcome = invoke(point, entryCtx, args);
  const after = readKernel(live);
  if (outcome.threw) invariant(coded(outcome.error), () => `${point.name} arg ${position} (${role}) threw without a code: ${describeError(outcome.error)}`);
  if (outcome.threw || !CONFIGURING.has(point.name)) {
    for (const name of ['client', 'accepted', 'server'] as const) {
      invariant(sameSettings(before[name], after[name]), () => `${point.name} arg ${position} (${outcome.threw ? 'failed' : 'succeeded'}) changed ${name}: ${show(before[name])} -> ${show(after[name])}`);
    }
  }
  invariant(uncaught.length === 0, () => `uncaught: ${describeError(uncaught[0])}`);
}

describe(`every public entry point (seed ${SEED})`, () => {
  it('the fuzzed table covers every callable export', () => {
    expect(coveredExports()).toEqual(exportedCallables());
  });

  it('arbitrary values in every argument position: no crash, coded errors, no kernel change unless configuring', () => {
    check(
      'entry points: arbitrary arguments',
      fc.property(caseArb, ([name, position, arg]) => runEntryCase(BY_NAME.get(name)!, position, arg)),
      runs(16000),
    );
  }, PROPERTY_TIMEOUT);

  it('each entry point gets its share: one short run per entry point and position', () => {
    for (const point of ENTRY_POINTS) {
      point.roles.forEach((role, position) => {
        if (role === 'none') return;
        check(
          `entry ${point.name} #${position}`,
          fc.property(ROLE_ARGS[role] ?? ANY_ARG, (arg) => runEntryCase(point, position, arg)),
          runs(120),
        );
      });
    }
  }, PROPERTY_TIMEOUT);
});

// ---- TCP_KEEPALIVE ----

const NAMES = ['idle', 'interval', 'count', 'userTimeout', 'usertimeout', 'user_timeout', 'enable', 'clients', 'servers', 'ports', 'IDLE', 'Interval', 'idel', 'keepalive', ''];
const VALUES = [
  '30s', '500ms', '2m', '1.5s', '0', '1', '999', '1000', '32767s', '32768s', '9999999999', '3', '127', '128', '0.5', '-1', '1e3', '5x',
  'on', 'off', 'true', 'no', '1', 'maybe', '5432', '5432+6379', '0+1', '70000', '', ' ', 'NaN', '∞',
];
const envItem = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES), fc.constantFrom('', ' ')).map(([name, value, pad]) => `${pad}${name}${pad}=${pad}${value}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const envValue = fc.oneof(
  { weight: 8, arbitrary: fc.array(envItem, { maxLength: 5 }).map((items) => items.join(',')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, '', ' ', ',', 'idle=30s,,count=3') },
);

describe(`TCP_KEEPALIVE parsing (seed ${SEED})`, () => {
  it('parseKeepAliveEnv: accepted values apply per the README rules; refused ones are coded', () => {
    check(
      'TCP_KEEPALIVE',
      fc.property(envValue, (text) => {
        let env: lib.KeepAliveEnv;
        try {
          env = lib.parseKeepAliveEnv(text);
        } catch (error) {
          invariant(coded(error), () => `parseKeepAliveEnv threw without a code: ${describeError(error)}`);
          return;
        }
        const spec: OptionsSpec = {
          container: 'plain',
          fields: Object.entries(env.options).map(([key, v]) => ({ key, value: { t: 'data', v }, how: 'data', later: { t: 'data', v }, enumerable: true, onProto: false })),
          symbolKey: false,
        };
        const built = buildOptions(spec, ctx.live);
        const rules = verdict(spec, built);
        invariant(rules.ok, () => `parseKeepAliveEnv(${show(text)}) returned options the rules refuse: ${show(env.options)} (${rules.ok ? '' : rules.why})`);
        if (!rules.ok) return;
        const before = lib.getKeepAlive(ctx.live.client);
        try {
          lib.setKeepAlive(ctx.live.client, env.options);
        } catch (error) {
          throw new Error(`setKeepAlive refused what parseKeepAliveEnv(${show(text)}) returned (${show(env.options)}): ${describeError(error)}`);
        }
        const want = rules.expected(before);
        const got = lib.getKeepAlive(ctx.live.client);
        invariant(sameSettings(got, want), () => `TCP_KEEPALIVE=${show(text)}: kernel ${show(got)}, rules ${show(want)}`);
      }),
      runs(6000),
    );
  }, PROPERTY_TIMEOUT);
});
