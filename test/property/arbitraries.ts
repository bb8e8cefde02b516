// Generators for the property suite (issue 12, requirement "property-based suite"). Every value is
// generated as a pure-data description (printable and shrinkable by fast-check) and materialised
// inside the property: proxies (benign, throwing, revoked), throwing getters, class instances,
// Symbol-named classes and functions, null-prototype and frozen objects, arrays, functions,
// symbols, BigInt, -0, NaN, huge numbers, fake sockets (objects with a socket prototype but no
// state), and the live sockets/servers of the test context.
import * as fc from 'fast-check';
import * as net from 'node:net';
import * as tls from 'node:tls';

export const KNOWN = ['enable', 'idle', 'interval', 'count', 'userTimeout'] as const;
export type Known = (typeof KNOWN)[number];

/** Thrown by hostile getters and proxy traps, so the suite can tell them from the package's errors. */
export class HostileError extends Error {}

/** Live objects the descriptions may refer to. */
export interface Live {
  client: net.Socket;
  accepted: net.Socket;
  server: net.Server;
  /** Never connected: configuring it queues the plan. */
  pending: net.Socket;
  destroyed: net.Socket;
}
export type LiveName = keyof Live;

export type ValueSpec =
  | { t: 'data'; v: unknown }
  | { t: 'symbol'; description: string }
  | { t: 'fn'; kind: 'plain' | 'arrow' | 'class' | 'symbolNamedClass' | 'symbolNamedFn' | 'bound' | 'async' | 'generator' }
  | {
      t: 'instance';
      kind:
        | 'symbolNamed'
        | 'plainClass'
        | 'date'
        | 'regexp'
        | 'map'
        | 'set'
        | 'typed'
        | 'error'
        | 'boxedNumber'
        | 'boxedString'
        | 'boxedBoolean'
        | 'ctorSymbolNamed'
        | 'ctorGetterThrows'
        | 'toStringThrows'
        | 'symbolToStringTag';
    }
  | { t: 'nullProto'; entries: Array<[string, ValueSpec]> }
  | { t: 'frozen'; of: ValueSpec }
  | { t: 'array'; items: ValueSpec[] }
  | { t: 'throwingGetter'; key: string }
  | { t: 'proxy'; of: ValueSpec; traps: 'none' | 'throwing' }
  | { t: 'revoked' }
  | { t: 'fake'; proto: 'socket' | 'tlsSocket' | 'server' }
  | { t: 'subclassInstance' }
  | { t: 'live'; which: LiveName }
  | { t: 'liveProxy'; which: LiveName; traps: 'none' | 'throwing' };

// ---- numbers and field values ----

const EDGE_NUMBERS = [
  0, -0, 1, -1, 0.5, 999, 999.999, 1000, 1000.5, 1001, 2500, 32767000, 32767000.5, 32767001, 127, 128, 2 ** 31 - 1, 2 ** 31,
  2 ** 32, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 1e21, -1e21,
  Number.NaN, Infinity, -Infinity,
];

export const edgeNumber = fc.constantFrom(...EDGE_NUMBERS);

/** Values valid for each field on Linux (ms; count in probes). */
export const validValue: Record<Known, fc.Arbitrary<unknown>> = {
  enable: fc.boolean(),
  idle: fc.oneof(fc.integer({ min: 1, max: 32767000 }), fc.double({ min: Number.MIN_VALUE, max: 32767000, noNaN: true }), fc.constantFrom(1, 999, 1000, 1000.5, 2500, 32767000)),
  interval: fc.oneof(fc.integer({ min: 1, max: 32767000 }), fc.double({ min: Number.MIN_VALUE, max: 32767000, noNaN: true }), fc.constantFrom(1, 1000, 32767000)),
  count: fc.integer({ min: 1, max: 127 }),
  userTimeout: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 2 ** 31 - 1, noNaN: true }), fc.constantFrom(0, -0, 2 ** 31 - 1, 0.25)),
};

// ---- arbitrary values ----

const dataValue: fc.Arbitrary<ValueSpec> = fc
  .oneof(
    { weight: 3, arbitrary: edgeNumber },
    { weight: 2, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.bigInt() },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom('1000', ' 5 ', '', 'idle', '__proto__', 'constructor', 'NaN') },
    { weight: 2, arbitrary: fc.constantFrom(undefined, null, true, false) },
    { weight: 2, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4, withBigInt: true, withNullPrototype: true, withBoxedValues: true, withTypedArray: true, withSparseArray: true }) },
  )
  .map((v) => ({ t: 'data' as const, v }));

const leafHostile: fc.Arbitrary<ValueSpec> = fc.oneof(
  fc.string({ maxLength: 6 }).map((description) => ({ t: 'symbol' as const, description })),
  fc
    .constantFrom('plain', 'arrow', 'class', 'symbolNamedClass', 'symbolNamedFn', 'bound', 'async', 'generator')
    .map((kind) => ({ t: 'fn' as const, kind }) as ValueSpec),
  fc
    .constantFrom(
      'symbolNamed', 'plainClass', 'date', 'regexp', 'map', 'set', 'typed', 'error', 'boxedNumber', 'boxedString', 'boxedBoolean',
      'ctorSymbolNamed', 'ctorGetterThrows', 'toStringThrows', 'symbolToStringTag',
    )
    .map((kind) => ({ t: 'instance' as const, kind }) as ValueSpec),
  fc.constantFrom('idle', 'constructor', 'then', 'toString', 'name').map((key) => ({ t: 'throwingGetter' as const, key })),
  fc.constant({ t: 'revoked' as const }),
  fc.constantFrom('socket', 'tlsSocket', 'server').map((proto) => ({ t: 'fake' as const, proto }) as ValueSpec),
  fc.constant({ t: 'subclassInstance' as const }),
);

export const liveName = fc.constantFrom<LiveName>('client', 'accepted', 'server', 'pending', 'destroyed');

/** Any value, hostile ones included (depth-limited). */
export const anyValue: fc.Arbitrary<ValueSpec> = fc.letrec<{ value: ValueSpec }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: dataValue },
    { weight: 4, arbitrary: leafHostile },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('value')), { maxLength: 3 }).map((entries) => ({ t: 'nullProto' as const, entries })) },
    { weight: 1, arbitrary: tie('value').map((of) => ({ t: 'frozen' as const, of })) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((items) => ({ t: 'array' as const, items })) },
    { weight: 1, arbitrary: fc.tuple(tie('value'), fc.constantFrom<'none' | 'throwing'>('none', 'throwing')).map(([of, traps]) => ({ t: 'proxy' as const, of, traps })) },
  ),
})).value;

/** A target: mostly live objects (and proxies of them), else anything. */
export const targetValue: fc.Arbitrary<ValueSpec> = fc.oneof(
  { weight: 6, arbitrary: liveName.map((which) => ({ t: 'live' as const, which }) as ValueSpec) },
  { weight: 2, arbitrary: fc.tuple(liveName, fc.constantFrom<'none' | 'throwing'>('none', 'throwing')).map(([which, traps]) => ({ t: 'liveProxy' as const, which, traps }) as ValueSpec) },
  { weight: 3, arbitrary: anyValue },
);

// ---- options ----

export interface FieldSpec {
  key: string;
  value: ValueSpec;
  /** data: a plain property; getter: stable; changing: `later` from the second read on; throwing. */
  how: 'data' | 'getter' | 'changing' | 'throwing';
  later: ValueSpec;
  enumerable: boolean;
  /** own property, or on the prototype of a class (container 'class' only). */
  onProto: boolean;
}

export interface OptionsSpec {
  container: 'plain' | 'nullProto' | 'frozen' | 'class' | 'proxy' | 'array' | 'function';
  fields: FieldSpec[];
  /** An own symbol-keyed property as well (never an option). */
  symbolKey: boolean;
}

const TYPOS = ['intervall', 'Idle', 'idleTime', 'keepAlive', 'timeout', 'probes', 'count ', 'user_timeout', 'constructor', '__proto__', 'toString', 'delay'];

function fieldValue(key: string): fc.Arbitrary<ValueSpec> {
  const valid = (KNOWN as readonly string[]).includes(key) ? validValue[key as Known] : fc.constant(1000);
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => ({ t: 'data' as const, v }) as ValueSpec) },
    { weight: 2, arbitrary: edgeNumber.map((v) => ({ t: 'data' as const, v }) as ValueSpec) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, '1000', 1000n, true).map((v) => ({ t: 'data' as const, v }) as ValueSpec) },
    { weight: 1, arbitrary: fc.constantFrom<ValueSpec>({ t: 'instance', kind: 'boxedNumber' }, { t: 'instance', kind: 'symbolNamed' }, { t: 'fn', kind: 'symbolNamedClass' }) },
    { weight: 1, arbitrary: anyValue },
  );
}

const fieldSpec = (keys: fc.Arbitrary<string>, hostileRate: number): fc.Arbitrary<FieldSpec> =>
  keys.chain((key) =>
    fc.record({
      key: fc.constant(key),
      value: fieldValue(key),
      how: fc.oneof(
        { weight: 100 - hostileRate, arbitrary: fc.constantFrom<FieldSpec['how']>('data', 'data', 'getter') },
        { weight: hostileRate, arbitrary: fc.constantFrom<FieldSpec['how']>('changing', 'throwing') },
      ),
      later: fieldValue(key),
      enumerable: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      onProto: fc.boolean(),
    }),
  );

const knownKey = fc.constantFrom<string>(...KNOWN);

/** Options objects of every shape: mostly near-valid, with typos, hostile fields and containers. */
export const optionsSpec: fc.Arbitrary<OptionsSpec> = fc.record({
  container: fc.oneof(
    { weight: 6, arbitrary: fc.constant<OptionsSpec['container']>('plain') },
    { weight: 6, arbitrary: fc.constantFrom<OptionsSpec['container']>('nullProto', 'frozen', 'class', 'proxy') },
    { weight: 1, arbitrary: fc.constantFrom<OptionsSpec['container']>('array', 'function') },
  ),
  fields: fc.array(fieldSpec(fc.oneof({ weight: 12, arbitrary: knownKey }, { weight: 1, arbitrary: fc.constantFrom(...TYPOS) }), 15), {
    maxLength: 6,
  }),
  symbolKey: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** Well-formed valid options (plain data, known keys, valid values): setKeepAlive must succeed. */
export const validOptionsSpec: fc.Arbitrary<OptionsSpec> = fc
  .record({
    container: fc.constantFrom<OptionsSpec['container']>('plain', 'nullProto', 'frozen', 'class', 'proxy'),
    fields: fc.uniqueArray(
      knownKey.chain((key) =>
        fc.record({
          key: fc.constant(key),
          value: validValue[key as Known].map((v) => ({ t: 'data' as const, v }) as ValueSpec),
          how: fc.constantFrom<FieldSpec['how']>('data', 'getter'),
          later: fc.constant<ValueSpec>({ t: 'data', v: undefined }),
          enumerable: fc.boolean(),
          onProto: fc.boolean(),
        }),
      ),
      { minLength: 1, maxLength: 5, selector: (field) => field.key },
    ),
    symbolKey: fc.constant(false),
  })
  .filter((spec) => spec.fields.some((field) => field.key !== 'enable' || field.value.t !== 'data' || field.value.v !== undefined));

// ---- materialising ----

class SymbolNamed {
  static name = Symbol('symbol-named class');
}
class PlainClass {
  field = 1;
}
class UserSocket extends net.Socket {}

function hostileGetterObject(key: string): object {
  const object = {};
  Object.defineProperty(object, key, {
    enumerable: true,
    get() {
      throw new HostileError(`getter ${key}`);
    },
  });
  return object;
}

const THROWING_TRAPS: ProxyHandler<object> = {
  get: () => {
    throw new HostileError('get trap');
  },
  has: () => {
    throw new HostileError('has trap');
  },
  getPrototypeOf: () => {
    throw new HostileError('getPrototypeOf trap');
  },
  getOwnPropertyDescriptor: () => {
    throw new HostileError('getOwnPropertyDescriptor trap');
  },
  ownKeys: () => {
    throw new HostileError('ownKeys trap');
  },
  defineProperty: () => {
    throw new HostileError('defineProperty trap');
  },
  set: () => {
    throw new HostileError('set trap');
  },
};

/** Proxy targets must be objects: primitives are boxed first. */
function asObject(value: unknown): object {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') return value as object;
  return Object(value) as object;
}

export function materialize(spec: ValueSpec, live: Live): unknown {
  switch (spec.t) {
    case 'data':
      return spec.v;
    case 'symbol':
      return Symbol(spec.description);
    case 'fn':
      switch (spec.kind) {
        case 'plain':
          return function plain(): void {};
        case 'arrow':
          return () => undefined;
        case 'class':
          return class Anonymous {};
        case 'symbolNamedClass':
          return SymbolNamed;
        case 'symbolNamedFn': {
          const fn = function (): void {};
          Object.defineProperty(fn, 'name', { value: Symbol('fn') });
          return fn;
        }
        case 'bound':
          return function bound(): void {}.bind(null);
        case 'async':
          return async function asyncFn(): Promise<void> {};
        case 'generator':
          return function* generator(): Generator<number> {
            yield 1;
          };
      }
      break;
    case 'instance':
      switch (spec.kind) {
        case 'symbolNamed':
          return new SymbolNamed();
        case 'plainClass':
          return new PlainClass();
        case 'date':
          return new Date(0);
        case 'regexp':
          return /idle/g;
        case 'map':
          return new Map([['idle', 1000]]);
        case 'set':
          return new Set([1000]);
        case 'typed':
          return new Float64Array([1000, 2000]);
        case 'error':
          return new RangeError('not a socket');
        case 'boxedNumber':
          return Object(1000) as object;
        case 'boxedString':
          return Object('1000') as object;
        case 'boxedBoolean':
          return Object(true) as object;
        case 'ctorSymbolNamed':
          return { constructor: SymbolNamed };
        case 'ctorGetterThrows':
          return hostileGetterObject('constructor');
        case 'toStringThrows':
          return {
            toString(): string {
              throw new HostileError('toString');
            },
            [Symbol.toPrimitive](): never {
              throw new HostileError('toPrimitive');
            },
          };
        case 'symbolToStringTag':
          return Object.assign(Object.create(null), { [Symbol.toStringTag]: Symbol('tag') }) as object;
      }
      break;
    case 'nullProto': {
      const object = Object.create(null) as Record<string, unknown>;
      for (const [key, value] of spec.entries) object[key] = materialize(value, live);
      return object;
    }
    case 'frozen': {
      const value = materialize(spec.of, live);
      if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return value;
      try {
        return Object.freeze(value);
      } catch {
        return value; // typed arrays with elements and throwing proxies cannot be frozen
      }
    }
    case 'array':
      return spec.items.map((item) => materialize(item, live));
    case 'throwingGetter':
      return hostileGetterObject(spec.key);
    case 'proxy':
      return new Proxy(asObject(materialize(spec.of, live)), spec.traps === 'throwing' ? THROWING_TRAPS : {});
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 'fake':
      return Object.create(spec.proto === 'server' ? net.Server.prototype : spec.proto === 'tlsSocket' ? tls.TLSSocket.prototype : net.Socket.prototype) as object;
    case 'subclassInstance':
      // A real (never connected) socket of a user subclass: a valid pending target.
      return new UserSocket();
    case 'live':
      return live[spec.which];
    case 'liveProxy':
      return new Proxy(live[spec.which], spec.traps === 'throwing' ? (THROWING_TRAPS as ProxyHandler<net.Socket>) : {});
  }
  throw new Error(`unknown value description ${JSON.stringify(spec)}`);
}

/** What building an options object recorded: [[Get]]s per known field and the values handed out. */
export interface BuiltOptions {
  options: unknown;
  reads: Record<Known, number>;
  /** The value the first [[Get]] of each known field returned (getters and proxies only). */
  firstRead: Partial<Record<Known, unknown>>;
  /** The materialised value of each field description (what a data property holds / a getter returns first). */
  values: Map<FieldSpec, unknown>;
}

const isKnown = (key: string): key is Known => (KNOWN as readonly string[]).includes(key);

export function buildOptions(spec: OptionsSpec, live: Live): BuiltOptions {
  const reads: Record<Known, number> = { enable: 0, idle: 0, interval: 0, count: 0, userTimeout: 0 };
  const firstRead: Partial<Record<Known, unknown>> = {};
  const values = new Map<FieldSpec, unknown>();
  const record = (key: string, value: unknown): unknown => {
    if (isKnown(key)) {
      if (reads[key]++ === 0) firstRead[key] = value;
    }
    return value;
  };

  let target: object;
  let proto: object | null = null;
  switch (spec.container) {
    case 'nullProto':
      target = Object.create(null) as object;
      break;
    case 'class': {
      class Options {}
      proto = Options.prototype;
      target = new Options();
      break;
    }
    case 'array':
      target = [];
      break;
    case 'function':
      target = function options(): void {};
      break;
    default:
      target = {};
  }
  const viaProxy = spec.container === 'proxy';

  for (const field of spec.fields) {
    const holder = field.onProto && proto ? proto : target;
    const value = materialize(field.value, live);
    const later = materialize(field.later, live);
    values.set(field, value);
    let descriptor: PropertyDescriptor;
    if (field.how === 'data') {
      descriptor = { value, enumerable: field.enumerable, configurable: true, writable: true };
    } else {
      let count = 0;
      descriptor = {
        enumerable: field.enumerable,
        configurable: true,
        get: () => {
          const n = count++;
          if (field.how === 'throwing') {
            if (isKnown(field.key)) reads[field.key]++;
            throw new HostileError(`getter ${field.key}`);
          }
          const out = field.how === 'changing' && n > 0 ? later : value;
          return viaProxy ? out : record(field.key, out);
        },
      };
    }
    Object.defineProperty(holder, field.key, descriptor);
  }
  if (spec.symbolKey) Object.defineProperty(target, Symbol('idle'), { value: 1000, enumerable: true });

  let options: unknown = target;
  if (spec.container === 'frozen') options = Object.freeze(target);
  if (viaProxy) {
    options = new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver);
        return typeof key === 'string' ? record(key, value) : value;
      },
    });
  }
  return { options, reads, firstRead, values };
}
