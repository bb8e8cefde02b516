// What each benchmark file hands to the results writer, and how numbers are printed.

export interface Target {
  what: string;
  /** Measured ratio (or value) and the limit it must stay under. */
  measured: number;
  limit: number;
  /** Why a miss happens, when it does. */
  explanation?: string;
}

export interface Section {
  title: string;
  /** Markdown lines: the table and short notes. */
  lines: string[];
  targets: Target[];
}

export function ns(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function times(value: number): string {
  return `${value.toFixed(2)}x`;
}

/** A markdown table; columns are right-aligned (numbers) except the first and those in `left`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = []): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 || left.includes(i) ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** Entry point of a benchmark file: with --json (from run.ts) print the section for the writer. */
export function main(run: () => Promise<Section>): void {
  run().then(
    (section) => {
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(section));
      else process.stdout.write([`## ${section.title}`, '', ...section.lines, ''].join('\n'));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
