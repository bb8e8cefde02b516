// Issue 12, defect 5: every error thrown by the package has a string `code`. The message builder
// threw a plain TypeError ("Cannot convert a Symbol value to a string") for values whose
// constructor or function name is a Symbol, at every entry point; keepAliveWebSocketClient threw
// one for a null-prototype URL object. Each hostile value is tried in every argument position of
// every public entry point, the other positions holding valid values.
import * as net from 'node:net';
import { once } from 'node:events';
import * as lib from '../../lib';
import { closeAll, connectedPair, listen, track } from '../helpers/sockets';
import { codeOf, closedPort } from '../helpers/hardening';
import { ENTRY_POINTS, argsWith, coveredExports, exportedCallables, invoke, type Context } from '../helpers/entry-points';

let ctx: Context;
beforeAll(async () => {
  const { client } = await connectedPair();
  ctx = { socket: client, server: await listen(), monitor: lib.monitor({ interval: 60000 }), closedPort: await closedPort() };
});
afterAll(async () => {
  ctx.monitor.close();
  await closeAll();
});

/** A class whose `name` is a Symbol (static name = Symbol()). */
class SymbolNamed {
  static name = Symbol('named by a symbol');
}

function symbolNamedFunction(): () => void {
  const fn = function (): void {};
  Object.defineProperty(fn, 'name', { value: Symbol('fn') });
  return fn;
}

const HOSTILE: Array<[string, () => unknown]> = [
  ['an instance of a class named by a Symbol', () => new SymbolNamed()],
  ['a class named by a Symbol', () => SymbolNamed],
  ['an object whose constructor is named by a Symbol', () => ({ constructor: SymbolNamed })],
  ['a function named by a Symbol', symbolNamedFunction],
  ['an object whose constructor getter returns a Symbol-named thing', () => ({
    get constructor(): unknown {
      return { name: Symbol('x') };
    },
  })],
  ['a null-prototype object', () => Object.create(null)],
  ['a null-prototype object with a Symbol toStringTag', () => Object.assign(Object.create(null), { [Symbol.toStringTag]: Symbol('t') })],
  ['a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }],
  ['a Proxy whose traps throw', () => new Proxy({}, {
    getPrototypeOf() {
      throw new Error('trap');
    },
    get() {
      throw new Error('trap');
    },
    getOwnPropertyDescriptor() {
      throw new Error('trap');
    },
    ownKeys() {
      throw new Error('trap');
    },
  })],
  ['a Symbol', () => Symbol('value')],
  ['a BigInt', () => 10n],
  ['an options-shaped object whose idle is Symbol-named', () => ({ idle: new SymbolNamed() })],
  ['an options-shaped object whose count is a Symbol-named function', () => ({ count: symbolNamedFunction() })],
  ['an options-shaped object whose enable is a Symbol', () => ({ enable: Symbol('on') })],
  ['an options-shaped object whose userTimeout is a BigInt', () => ({ userTimeout: 5n })],
];

describe('the table of entry points covers every callable export', () => {
  it('every function or class exported by the package is fuzzed here', () => {
    expect(coveredExports()).toEqual(exportedCallables());
  });
});

describe.each(HOSTILE)('%s', (_name, make) => {
  it.each(ENTRY_POINTS.map((point) => [point.name, point] as const))('%s: any error thrown has a string code', (_n, point) => {
    const uncoded: string[] = [];
    point.roles.forEach((role, position) => {
      if (role === 'none') return;
      const outcome = invoke(point, ctx, argsWith(point, ctx, position, make()));
      if (!outcome.threw) return;
      const code = (outcome.error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string') {
        const message = outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : String(outcome.error);
        uncoded.push(`argument ${position} (${role}): ${message}`);
      }
    });
    expect(uncoded).toEqual([]);
  });
});

describe('specific codes', () => {
  it('Symbol-named values as targets or option values are ERR_INVALID_ARG_TYPE', () => {
    const fn = symbolNamedFunction();
    expect(codeOf(() => lib.setKeepAlive(new SymbolNamed() as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.setKeepAlive(SymbolNamed as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.setKeepAlive({ constructor: SymbolNamed } as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.getKeepAlive(fn as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.getTcpInfo(new SymbolNamed() as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.keepAliveSocket(new SymbolNamed() as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.keepAliveServer(new SymbolNamed() as never, { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.setKeepAlive(ctx.socket, { idle: new SymbolNamed() } as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.setKeepAlive(ctx.socket, { idle: fn } as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.setKeepAlive(ctx.socket, new SymbolNamed() as never))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => lib.keepAliveAgent({ count: SymbolNamed } as never))).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('keepAliveWebSocketClient(Object.create(null), ...) is ERR_INVALID_ARG_TYPE', () => {
    expect(codeOf(() => lib.keepAliveWebSocketClient(Object.create(null), { idle: 1000 }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => lib.keepAliveWebSocketClient(new SymbolNamed() as never, { idle: 1000 }))).toMatch(/^ERR_/);
    expect(codeOf(() => lib.keepAliveWebSocketClient(Symbol('url') as never, { idle: 1000 }))).toMatch(/^ERR_/);
  });

  it('an error thrown with a Symbol-named value leaves the socket usable (control read-back)', async () => {
    const { client } = await connectedPair();
    const before = lib.getKeepAlive(client);
    expect(codeOf(() => lib.setKeepAlive(client, { idle: 1000, count: new SymbolNamed() } as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(lib.getKeepAlive(client)).toEqual(before);
    const pending = track(new net.Socket());
    expect(codeOf(() => lib.setKeepAlive(pending, { interval: SymbolNamed } as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(lib.keptKeepAlive(pending)).toBeUndefined();
    pending.destroy();
    await once(pending, 'close');
  });
});
