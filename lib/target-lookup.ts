// Windows: Node reports fd -1 for every TCP handle, so the SOCKET is found by walking this
// thread's libuv loop (native locate) once per handle and kept for the handle's life: a handle
// owns one socket until it closes, and the identity check before each native call catches a
// socket closed since. POSIX platforms always have the fd and never get here.
import * as net from 'node:net';
import { invalidArgValue } from './errors';
import { native } from './binding';

const located = new WeakMap<object, number>();
const scratch = new Float64Array(2);

/**
 * The OS socket of a handle whose fd is -1: on Windows found through the loop, elsewhere (or
 * while a socket has no addresses yet) null.
 */
export function locateSocket(target: net.Socket | net.Server, handle: object): number | null {
  if (process.platform !== 'win32') return null;
  const known = located.get(handle);
  if (known !== undefined) return known;
  let found: boolean;
  if (target instanceof net.Server) {
    const address = target.address();
    if (!address || typeof address === 'string') return null;
    found = native.locate(address.address, address.port, null, 0, scratch);
  } else {
    const { localAddress, localPort, remoteAddress, remotePort } = target;
    if (target.connecting || !localAddress || !remoteAddress || !localPort || !remotePort) return null;
    found = native.locate(localAddress, localPort, remoteAddress, remotePort, scratch);
  }
  if (!found) {
    throw invalidArgValue(
      target instanceof net.Server ? 'server' : 'socket',
      "has no TCP handle in this thread's event loop (use it from the thread that created it)",
    );
  }
  located.set(handle, scratch[1]);
  return scratch[1];
}
