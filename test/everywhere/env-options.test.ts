// The TCP_KEEPALIVE grammar (lib/env-options.ts): examples, then properties checked with fast-check
// over generated values: what is written in any unit and spacing reads back as the same options,
// and any malformed value fails with one coded error that quotes the bad part of the input.
import fc from 'fast-check';
import { parseKeepAliveEnv } from '../../lib';
import { PRELOAD_DEFAULTS } from '../../lib/env-options';

function failure(value: string): { code?: string; message: string } {
  try {
    parseKeepAliveEnv(value);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`parsed without error: ${value}`);
}

describe('TCP_KEEPALIVE examples', () => {
  it('reads the README example, units and bare milliseconds', () => {
    expect(parseKeepAliveEnv('idle=30s,interval=5s,count=4,userTimeout=45s')).toEqual({
      options: { idle: 30000, interval: 5000, count: 4, userTimeout: 45000 }, clients: true, servers: true,
    });
    expect(parseKeepAliveEnv(' idle = 2m , interval=1500 , user_timeout=0 ').options).toEqual({
      idle: 120000, interval: 1500, userTimeout: 0, count: PRELOAD_DEFAULTS.count,
    });
  });

  it('unset or blank means the preload defaults; enable=off means off and nothing else', () => {
    expect(parseKeepAliveEnv(undefined).options).toEqual(PRELOAD_DEFAULTS);
    expect(parseKeepAliveEnv('  ').options).toEqual(PRELOAD_DEFAULTS);
    expect(parseKeepAliveEnv('enable=off').options).toEqual({ enable: false });
  });

  it('reads the policy settings: clients, servers, ports', () => {
    expect(parseKeepAliveEnv('servers=off,ports=5432+6379')).toMatchObject({ clients: true, servers: false, ports: [5432, 6379] });
  });

  it.each([
    ['idle=30s,interval=5x', 'interval=5x', 'unknown unit "x"'],
    ['idle=30s,,count=3', '', 'empty item'],
    ['idle', 'idle', 'expected name=value'],
    ['idel=30s', 'idel=30s', 'unknown name "idel"'],
    ['count=3,count=4', 'count=4', 'given twice'],
    ['count=3s', 'count=3s', 'whole number'],
    ['count=0', 'count=0', 'out of range'],
    ['idle=0', 'idle=0', 'out of range'],
    ['idle=-5s', 'idle=-5s', 'expected a duration'],
    ['clients=maybe', 'clients=maybe', 'expected on or off'],
    ['ports=5432+http', 'ports=5432+http', '"http" is not a port'],
    ['idle=', 'idle=', 'no value'],
  ])('%j fails naming %j', (value, part, reason) => {
    const error = failure(value);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message).toContain(`TCP_KEEPALIVE: "${part}": `);
    expect(error.message).toContain(reason);
  });
});

// ---- generated ------------------------------------------------------------------------------------

const space = fc.constantFrom('', ' ', '  ', '\t');
type Timing = 'idle' | 'interval' | 'userTimeout';
/** A duration in ms and one way of writing it. */
const duration = (minMs: number): fc.Arbitrary<[number, string]> =>
  fc.oneof(
    fc.tuple(fc.integer({ min: minMs, max: 3_600_000 }), fc.constantFrom('', 'ms')).map(([ms, unit]): [number, string] => [ms, `${ms}${unit}`]),
    fc.integer({ min: Math.max(1, Math.ceil(minMs / 1000)), max: 3600 }).map((s): [number, string] => [s * 1000, `${s}s`]),
    fc.integer({ min: 1, max: 60 }).map((m): [number, string] => [m * 60_000, `${m}m`]),
  );
const item = fc.oneof(
  fc.tuple(fc.constantFrom<Timing>('idle', 'interval'), duration(1000)),
  fc.tuple(fc.constant<Timing>('userTimeout'), duration(0)),
  fc.tuple(fc.constant('count' as const), fc.integer({ min: 1, max: 127 }).map((n): [number, string] => [n, `${n}`])),
);
const items = fc.uniqueArray(item, { selector: ([name]) => name, minLength: 1, maxLength: 4 });

describe('TCP_KEEPALIVE properties (fast-check)', () => {
  it('any valid list, in any unit, order and spacing, reads back as the options it writes', () => {
    fc.assert(
      fc.property(items, space, space, (list, before, after) => {
        const text = list.map(([name, [, written]]) => `${before}${name}${after}=${before}${written}${after}`).join(',');
        const { options } = parseKeepAliveEnv(text);
        for (const [name, [ms]] of list) expect(options[name]).toBe(ms);
      }),
    );
  });

  it('any input either parses or fails with one coded error quoting a part of the input', () => {
    const alphabet = fc.constantFrom(...'idle=interval,count=userTimeout=ms s m 0123456789.+-xyzports,clients=on off'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 40 })), (text) => {
        let error: { code?: string; message: string } | undefined;
        try {
          parseKeepAliveEnv(text);
        } catch (thrown) {
          error = thrown as { code?: string; message: string };
        }
        if (!error) return;
        expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
        const quoted = /^TCP_KEEPALIVE: "([^]*?)": /.exec(error.message);
        expect(quoted).not.toBeNull();
        expect(text).toContain(quoted![1]);
      }),
    );
  });

  it('one bad item in a valid list is the part the message names', () => {
    const bad = fc.constantFrom('idle=5x', 'count=two', 'nope=1', 'interval', 'idle=0', 'servers=sometimes', 'ports=0');
    fc.assert(
      fc.property(items, bad, fc.nat(), (list, wrong, at) => {
        const parts = list.map(([name, [, written]]) => `${name}=${written}`);
        parts.splice(at % (parts.length + 1), 0, wrong);
        expect(failure(parts.join(',')).message).toContain(`TCP_KEEPALIVE: "${wrong}": `);
      }),
    );
  });
});
