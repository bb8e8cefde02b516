// The constants TypeScript and C++ share are defined once, in src-native/keepalive.h, and
// exported as the addon's frozen `constants`. This checks their shape and that what lib/ uses
// agrees with them, including the values lib/ still writes down itself (the mask bits of
// options.ts, the per-OS option names of platform.ts).
import { join } from 'node:path';
import { nativeConstants } from '../../lib/native';
import { fieldBit } from '../../lib/options';
import { capabilities, FIELDS, rules } from '../../lib/platform';

interface Constants {
  stateSlots: number;
  fields: readonly string[];
  optionNames: Readonly<Record<string, string>>;
  features: Readonly<Record<string, number>>;
  viaKeepAliveVals: number;
  validated: number;
  unreadable: number;
  checkedWithoutInode: number;
}

// The addon itself, as a user's require would load it (not through lib/).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addon = require('node-gyp-build')(join(__dirname, '..', '..')) as { constants: Constants; probe(): number };
const constants = addon.constants;

describe('the addon exports its constants', () => {
  it('has the documented shape', () => {
    expect(constants).toEqual({
      stateSlots: 8,
      fields: ['enable', 'idle', 'interval', 'count', 'userTimeout'],
      optionNames: {
        enable: 'SO_KEEPALIVE',
        idle: expect.any(String),
        interval: 'TCP_KEEPINTVL',
        count: 'TCP_KEEPCNT',
        userTimeout: expect.any(String),
      },
      features: { keepIdle: 1, keepIntvl: 2, keepCnt: 4, userTimeout: 8, keepAliveVals: 16, tcpInfo: 32 },
      viaKeepAliveVals: 256,
      validated: 512,
      unreadable: -(2 ** 31),
      checkedWithoutInode: 2 ** 53,
    });
  });

  it('is frozen all the way down', () => {
    for (const value of [constants, constants.fields, constants.optionNames, constants.features]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });

  it('keeps the flags apart: feature bits distinct, the ioctl flag above every field bit', () => {
    const bits = Object.values(constants.features);
    expect(new Set(bits).size).toBe(bits.length);
    expect(constants.viaKeepAliveVals).toBeGreaterThanOrEqual(1 << constants.fields.length);
    expect(constants.validated).toBeGreaterThanOrEqual(1 << constants.fields.length);
    expect(constants.validated & constants.viaKeepAliveVals).toBe(0);
    expect(constants.stateSlots).toBeGreaterThanOrEqual(1 + constants.fields.length);
    const all = bits.reduce((a, b) => a | b, 0);
    expect(addon.probe() & ~all).toBe(0);
  });
});

describe('lib/ agrees with the addon', () => {
  it('lib/native.ts hands out the addon constants', () => {
    expect(nativeConstants).toEqual(constants);
  });

  it('fields: the same names in the same (mask bit = write) order', () => {
    expect([...FIELDS]).toEqual(constants.fields);
    constants.fields.forEach((field, bit) => expect([field, fieldBit(field as (typeof FIELDS)[number])]).toEqual([field, 1 << bit]));
  });

  it("option names: the running platform's rules name the addon's options", () => {
    const expected = { ...constants.optionNames };
    // Windows without TCP_KEEPIDLE/TCP_KEEPINTVL: idle and interval go through the ioctl, and
    // errors name it.
    const { keepIdle, keepIntvl } = constants.features;
    if (process.platform === 'win32' && (addon.probe() & (keepIdle | keepIntvl)) !== (keepIdle | keepIntvl)) {
      Object.assign(expected, { idle: 'SIO_KEEPALIVE_VALS', interval: 'SIO_KEEPALIVE_VALS' });
    }
    expect(rules.optionNames).toEqual(expected);
  });

  it('feature bits: capabilities() reads the probe with the same bits', () => {
    const features = addon.probe();
    expect(capabilities().tcpInfo).toBe((features & constants.features.tcpInfo) !== 0);
    if (process.platform === 'linux') {
      expect(features & 0b1111).toBe(0b1111); // keepIdle, keepIntvl, keepCnt, userTimeout
      expect(capabilities()).toMatchObject({ idle: true, interval: true, count: true, userTimeout: true });
    }
  });
});
