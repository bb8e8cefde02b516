// scripts/binary-format.js is what the Zig compile gate trusts to say a binary is a Mach-O /
// ELF musl / PE arm64 addon exporting napi_register_module_v1: checked here on binaries whose
// truth is known (the addon built on this machine; the mingw win32-x64 prebuild when present)
// and on what it must refuse.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Expected {
  format: string;
  cpu: string;
  libc?: string;
}
interface BinaryFormat {
  inspect(buf: Buffer): { format: string; cpu: string; libc?: string; exports: string[] };
  problems(buf: Buffer, expected: Expected): { wrong: string[] };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inspect, problems } = require('../../scripts/binary-format') as BinaryFormat;

const root = join(__dirname, '..', '..');
const built = join(root, 'build', 'Release', 'tcp_keepalive.node');
const win = join(root, 'prebuilds', 'win32-x64', 'tcp-keepalive.node');

describe('scripts/binary-format.js', () => {
  (existsSync(built) ? it : it.skip)('reads this machine\'s addon as ELF x64 glibc exporting napi_register_module_v1', () => {
    const buf = readFileSync(built);
    expect(inspect(buf)).toMatchObject({ format: 'ELF', cpu: process.arch, libc: 'glibc' });
    expect(problems(buf, { format: 'ELF', cpu: process.arch, libc: 'glibc' }).wrong).toEqual([]);
  });

  (existsSync(built) ? it : it.skip)('refuses it as a musl, Mach-O or arm64 build', () => {
    const buf = readFileSync(built);
    expect(problems(buf, { format: 'ELF', cpu: process.arch, libc: 'musl' }).wrong).toEqual([expect.stringContaining('libc glibc')]);
    expect(problems(buf, { format: 'Mach-O', cpu: 'arm64' }).wrong).toHaveLength(2);
  });

  (existsSync(win) ? it : it.skip)('reads the mingw win32-x64 prebuild as a PE x64 DLL importing from NODE.EXE', () => {
    expect(problems(readFileSync(win), { format: 'PE', cpu: 'x64' }).wrong).toEqual([]);
  });

  it('refuses what is no object file', () => {
    expect(() => inspect(Buffer.from('#!/bin/sh\n'))).toThrow(/unknown object format/);
  });
});
