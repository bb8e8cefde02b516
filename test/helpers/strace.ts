// Whether strace is installed (the syscall-count tests use it as an observer independent of the addon).
import { execFileSync } from 'node:child_process';

export const hasStrace = ((): boolean => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
