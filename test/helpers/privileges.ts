// Tests that need root say so; they are skipped only where root is missing, never in CI.
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** `describe` when root, else a skipped describe whose title says why. In CI, missing root fails. */
export function describeAsRoot(title: string, body: () => void): void {
  if (!isRoot && process.env.CI) {
    describe(title, () => {
      it('needs root, and CI must run it as root', () => {
        throw new Error('CI=true but not running as root');
      });
    });
    return;
  }
  (isRoot ? describe : describe.skip)(isRoot ? title : `${title} [skipped: needs root]`, body);
}
