// The structure docs/internals.md describes, checked on the source: no import cycles (type-only
// imports included), Node's private surface touched from lib/node-internals.ts only, the addon
// loaded by lib/native.ts only, errors made in lib/errors.ts only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const LIB = join(__dirname, '..', '..', 'lib');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(LIB);
const text = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
const name = (file: string): string => relative(LIB, file);

/** Relative imports and re-exports of a file, type-only ones included, as file paths. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  for (const match of text.get(file)!.matchAll(/(?:import|export)[^;]*?from\s+'(\.[^']+)'/gs)) {
    const target = normalize(join(dirname(file), match[1]));
    found.push(text.has(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
  }
  return found;
}

/** Lines of code outside comments. */
function code(file: string): string {
  return text.get(file)!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
}

describe('lib/ structure', () => {
  it('has no import cycles, type-only imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of importsOf(file)) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(name).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it("touches Node's private surface from lib/node-internals.ts only", () => {
    const privateNames = /\b(_handle|_destroy|_server|_peername|_sockname|_parent|async_id_symbol)\b|\.emit\s*=|setKeepAlive\s*=/;
    // Comments included: a plain grep of lib/ must find these names in one module only.
    const offenders = files.filter((file) => name(file) !== 'node-internals.ts' && privateNames.test(text.get(file)!));
    expect(offenders.map(name)).toEqual([]);
  });

  it('loads the addon in lib/native.ts only', () => {
    const offenders = files.filter((file) => name(file) !== 'native.ts' && /node-gyp-build|\.node['"]/.test(code(file)));
    expect(offenders.map(name)).toEqual([]);
  });

  it('makes errors in lib/errors.ts only (the CLI prints messages, it throws no API errors)', () => {
    const offenders = files.filter(
      (file) => name(file) !== 'errors.ts' && !name(file).startsWith('cli') && /new (Type|Range)?Error\(/.test(code(file)),
    );
    expect(offenders.map(name)).toEqual([]);
  });

  it('keeps files short (no file much over 400 lines)', () => {
    const long = files.filter((file) => text.get(file)!.split('\n').length > 440).map(name);
    expect(long).toEqual([]);
  });
});
