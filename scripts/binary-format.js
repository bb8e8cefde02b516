// Reads just enough of a built addon to check it is what its target loads: the object format and
// CPU (Mach-O / ELF / PE), the C library it links (musl vs glibc), and that it exports
// napi_register_module_v1 (what Node looks up). Plain parsing: no host tool knows all three.
'use strict';

const EXPORT = 'napi_register_module_v1';

function cString(buf, offset) {
  const end = buf.indexOf(0, offset);
  return buf.toString('latin1', offset, end < 0 ? buf.length : end);
}

// ELF64 little-endian: machine, DT_NEEDED libraries, defined global dynamic symbols.
function readElf(buf) {
  if (buf.readUInt8(4) !== 2 || buf.readUInt8(5) !== 1) throw new Error('not a 64-bit little-endian ELF');
  const machine = { 62: 'x64', 183: 'arm64' }[buf.readUInt16LE(18)] ?? `e_machine ${buf.readUInt16LE(18)}`;
  const type = buf.readUInt16LE(16); // 3 = ET_DYN
  const shoff = Number(buf.readBigUInt64LE(40));
  const shentsize = buf.readUInt16LE(58);
  const shnum = buf.readUInt16LE(60);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({
      type: buf.readUInt32LE(at + 4),
      offset: Number(buf.readBigUInt64LE(at + 24)),
      size: Number(buf.readBigUInt64LE(at + 32)),
      link: buf.readUInt32LE(at + 40),
      entsize: Number(buf.readBigUInt64LE(at + 56)),
    });
  }
  const exports = [];
  const needed = [];
  for (const s of sections) {
    const strtab = sections[s.link];
    if (s.type === 11 /* SHT_DYNSYM */) {
      for (let at = s.offset; at < s.offset + s.size; at += s.entsize) {
        const info = buf.readUInt8(at + 4);
        const shndx = buf.readUInt16LE(at + 6);
        if (info >> 4 !== 0 && shndx !== 0) exports.push(cString(buf, strtab.offset + buf.readUInt32LE(at)));
      }
    } else if (s.type === 6 /* SHT_DYNAMIC */) {
      for (let at = s.offset; at < s.offset + s.size; at += 16) {
        const tag = Number(buf.readBigInt64LE(at));
        if (tag === 1 /* DT_NEEDED */) needed.push(cString(buf, strtab.offset + Number(buf.readBigUInt64LE(at + 8))));
      }
    }
  }
  // musl's C library is libc.so (ld-musl-*.so.1 at run time); glibc's is libc.so.6.
  const libc = needed.includes('libc.so.6') ? 'glibc' : needed.includes('libc.so') ? 'musl' : `none of ${needed}`;
  return { format: 'ELF', cpu: machine, shared: type === 3, libc, exports, needed };
}

// Mach-O 64: CPU, file type, exported (external, defined) symbols, code signature.
function readMachO(buf) {
  const cpu = { 0x01000007: 'x64', 0x0100000c: 'arm64' }[buf.readUInt32LE(4)] ?? `cputype ${buf.readUInt32LE(4)}`;
  const filetype = buf.readUInt32LE(12); // 6 MH_DYLIB, 8 MH_BUNDLE
  const ncmds = buf.readUInt32LE(16);
  const exports = [];
  let signed = false;
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(at);
    if (cmd === 0x2 /* LC_SYMTAB */) {
      const symoff = buf.readUInt32LE(at + 8);
      const nsyms = buf.readUInt32LE(at + 12);
      const stroff = buf.readUInt32LE(at + 16);
      for (let k = 0; k < nsyms; k++) {
        const sym = symoff + k * 16;
        const type = buf.readUInt8(sym + 4);
        // N_EXT and N_SECT: an external symbol defined in a section of this image.
        if ((type & 0x01) !== 0 && (type & 0x0e) === 0x0e) exports.push(cString(buf, stroff + buf.readUInt32LE(sym)).replace(/^_/, ''));
      }
    } else if (cmd === 0x1d /* LC_CODE_SIGNATURE */) {
      signed = true;
    }
    at += buf.readUInt32LE(at + 4);
  }
  return { format: 'Mach-O', cpu, shared: filetype === 6 || filetype === 8, signed, exports };
}

// PE32+: machine, DLL flag, export directory names, imported DLL names.
function readPe(buf) {
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32LE(pe) !== 0x4550) throw new Error('no PE signature');
  const cpu = { 0x8664: 'x64', 0xaa64: 'arm64' }[buf.readUInt16LE(pe + 4)] ?? `machine ${buf.readUInt16LE(pe + 4)}`;
  const nsections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const dll = (buf.readUInt16LE(pe + 22) & 0x2000) !== 0;
  const opt = pe + 24;
  if (buf.readUInt16LE(opt) !== 0x20b) throw new Error('not PE32+');
  const dir = (i) => ({ rva: buf.readUInt32LE(opt + 112 + i * 8), size: buf.readUInt32LE(opt + 116 + i * 8) });
  const sections = [];
  for (let i = 0; i < nsections; i++) {
    const at = opt + optSize + i * 40;
    sections.push({ va: buf.readUInt32LE(at + 12), size: buf.readUInt32LE(at + 8), raw: buf.readUInt32LE(at + 20) });
  }
  const file = (rva) => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + x.size);
    if (!s) throw new Error(`RVA ${rva} is in no section`);
    return rva - s.va + s.raw;
  };
  const exports = [];
  const exp = dir(0);
  if (exp.size) {
    const at = file(exp.rva);
    const count = buf.readUInt32LE(at + 24);
    const names = file(buf.readUInt32LE(at + 32));
    for (let i = 0; i < count; i++) exports.push(cString(buf, file(buf.readUInt32LE(names + i * 4))));
  }
  const imports = [];
  const imp = dir(1);
  if (imp.size) {
    for (let at = file(imp.rva); buf.readUInt32LE(at + 12) !== 0; at += 20) imports.push(cString(buf, file(buf.readUInt32LE(at + 12))));
  }
  return { format: 'PE', cpu, shared: dll, exports, imports };
}

/** What `buf` is: { format, cpu, shared, exports, ... }. */
function inspect(buf) {
  if (buf.readUInt32BE(0) === 0x7f454c46) return readElf(buf);
  if (buf.readUInt32LE(0) === 0xfeedfacf) return readMachO(buf);
  if (buf.readUInt16LE(0) === 0x5a4d) return readPe(buf);
  throw new Error(`unknown object format (magic ${buf.subarray(0, 4).toString('hex')})`);
}

/** Problems of a binary for `expected` = { format, cpu, libc? }: [] when it loads there. */
function problems(buf, expected) {
  const found = inspect(buf);
  const wrong = [];
  if (found.format !== expected.format) wrong.push(`format ${found.format}, expected ${expected.format}`);
  if (found.cpu !== expected.cpu) wrong.push(`cpu ${found.cpu}, expected ${expected.cpu}`);
  if (!found.shared) wrong.push('not a shared library / bundle / DLL');
  if (expected.libc && found.libc !== expected.libc) wrong.push(`libc ${found.libc}, expected ${expected.libc}`);
  if (!found.exports.includes(EXPORT)) wrong.push(`does not export ${EXPORT}`);
  if (found.format === 'Mach-O' && found.cpu === 'arm64' && !found.signed) wrong.push('arm64 Mach-O without a code signature (macOS refuses to load it)');
  if (found.format === 'PE' && !found.imports.some((name) => name.toLowerCase() === 'node.exe')) wrong.push('imports nothing from node.exe');
  return { found, wrong };
}

module.exports = { inspect, problems, EXPORT };
