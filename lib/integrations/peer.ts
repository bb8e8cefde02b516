// Optional peer dependencies (undici, ws) are loaded on first use, never when this package loads.
import { peerMissing } from '../errors';

export function requirePeer<T>(name: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    throw peerMissing(name, feature, error);
  }
}
