// Issue 12, defect 4: keys inherited from Object.prototype must not change behaviour
// (`Object.prototype.enable = false` silently turned keepalive off on every later call). Own keys
// and keys of a class prototype are honoured; unknown own enumerable string keys are refused.
// Object.prototype is polluted only inside try/finally, and nothing is asserted while it is.
import * as net from 'node:net';
import { getKeepAlive, keepAliveSocket, setKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, connectedPair } from '../helpers/sockets';
import { codeOf, ssKeepAliveTimer } from '../helpers/hardening';

afterEach(closeAll);

/** Runs `body` with `Object.prototype[key] = value` (enumerable, as a plain assignment makes it). */
function withPolluted<T>(pollution: Record<string, unknown>, body: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  const keys = Object.keys(pollution);
  for (const key of keys) expect(Object.prototype.hasOwnProperty.call(proto, key)).toBe(false);
  try {
    for (const key of keys) proto[key] = pollution[key];
    return body();
  } finally {
    for (const key of keys) delete proto[key];
  }
}

function outcome(fn: () => unknown): string {
  return codeOf(fn);
}

describe('Object.prototype pollution is ignored', () => {
  it('Object.prototype.enable = false: setKeepAlive(s, { idle: 5000 }) still turns keepalive on (getKeepAlive and ss)', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    expect(before.enable).toBe(false);
    const result = withPolluted({ enable: false }, () => outcome(() => setKeepAlive(client, { idle: 5000 })));
    expect(result).toBe('NO THROW');
    expect(getKeepAlive(client)).toEqual({ ...before, enable: true, idle: 5000 });
    const timer = ssKeepAliveTimer(client.localPort!, client.remotePort!);
    expect(timer).not.toBeNull();
    expect(timer!.expiresMs).toBeLessThanOrEqual(5000);
  });

  it('inherited idle / interval / count / userTimeout are not written', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    const result = withPolluted({ idle: 99000, interval: 60000, userTimeout: 77000 }, () =>
      outcome(() => setKeepAlive(client, { count: 3 })),
    );
    expect(result).toBe('NO THROW');
    expect(getKeepAlive(client)).toEqual({ ...before, enable: true, count: 3 });
  });

  it('an inherited field alone does not make an empty options object valid', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    const result = withPolluted({ idle: 5000 }, () => outcome(() => setKeepAlive(client, {})));
    expect(result).toBe('ERR_INVALID_ARG_VALUE');
    expect(getKeepAlive(client)).toEqual(before);
  });

  it('an inherited invalid value does not make valid options fail', async () => {
    const { client } = await connectedPair();
    const result = withPolluted({ count: -1, enable: 'yes' }, () => outcome(() => keepAliveSocket(client, { idle: 3000 })));
    expect(result).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 3000 });
  });

  it('an inherited unknown key is not reported as a typo', async () => {
    const { client } = await connectedPair();
    const result = withPolluted({ intervall: 1 }, () => outcome(() => setKeepAlive(client, { idle: 4000 })));
    expect(result).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 4000 });
  });

  it('a class instance whose class does not define enable ignores Object.prototype.enable', async () => {
    const { client } = await connectedPair();
    class Config {
      get idle(): number {
        return 6000;
      }
    }
    const result = withPolluted({ enable: false }, () => outcome(() => setKeepAlive(client, new Config() as never)));
    expect(result).toBe('NO THROW');
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 6000 });
  });

  it('a pending socket configured while polluted gets the unpolluted plan at connect', async () => {
    const { server } = await connectedPair();
    const socket = new net.Socket();
    try {
      const result = withPolluted({ enable: false }, () => outcome(() => setKeepAlive(socket, { idle: 8000 })));
      expect(result).toBe('NO THROW');
      const connected = new Promise<KeepAliveSettings>((resolve, reject) => {
        socket.once('connect', () => resolve(getKeepAlive(socket)));
        socket.once('error', reject);
      });
      // Pollute again while it connects: the plan was fixed at the call.
      const proto = Object.prototype as Record<string, unknown>;
      proto.enable = false;
      try {
        socket.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      } finally {
        delete proto.enable;
      }
      expect(await connected).toMatchObject({ enable: true, idle: 8000 });
    } finally {
      socket.destroy();
    }
  });
});

describe('own and class-prototype keys are honoured', () => {
  it('own enable: false is honoured with timings', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { enable: true, idle: 2000 });
    setKeepAlive(client, { enable: false, idle: 9000 });
    expect(getKeepAlive(client)).toMatchObject({ enable: false, idle: 9000 });
  });

  it('a field on a class prototype (getter or data) is honoured', async () => {
    const { client } = await connectedPair();
    class Off {
      get enable(): boolean {
        return false;
      }
    }
    class Counted {}
    (Counted.prototype as { count?: number }).count = 5;
    setKeepAlive(client, { idle: 3000 });
    setKeepAlive(client, new Counted() as never);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 3000, count: 5 });
    setKeepAlive(client, new Off() as never);
    expect(getKeepAlive(client)).toMatchObject({ enable: false });
  });

  it('unknown own enumerable string keys are ERR_INVALID_ARG_VALUE, nothing written', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    expect(codeOf(() => setKeepAlive(client, { idle: 3000, intervall: 1000 } as never))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => setKeepAlive(client, { idle: 3000, constructor: 1 } as never))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => setKeepAlive(client, { idle: 3000, toString: () => '' } as never))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => setKeepAlive(client, JSON.parse('{"idle":3000,"__proto__":{"enable":false}}')))).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect(getKeepAlive(client)).toEqual(before);
  });
});
