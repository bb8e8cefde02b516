export { setKeepAlive, getKeepAlive, type KeepAliveSettings } from './keepalive';
export { getTcpInfo, type TcpInfo, type TcpState } from './tcp-info';
export { capabilities, type Capabilities, type ReadSource } from './platform';
export type { KeepAliveOptions } from './options';
export type { CodedError, SystemError } from './errors';
export { snapshot, getKeepAliveTimer, type ConnectionState, type KeepAliveTimer, type TimerName } from './snapshot';
export { monitor, KeepAliveMonitor, type MonitorOptions, type MonitorEvents } from './monitor';
export { explain, type DeathReport, type DeathCause } from './explain';
export { keepAliveSocket } from './keepalive';
export { releaseKeepAlive, keptKeepAlive } from './keepalive';
export { keepAliveServer } from './integrations/server';
export { keepAliveAgent, type KeepAliveAgentSettings } from './integrations/agent';
export { connect, tlsConnect, keepAliveStream } from './integrations/connect';
export { keepAliveUndiciConnect, type UndiciConnector, type UndiciConnectOptions } from './integrations/undici';
export { keepAliveWebSocketServer, keepAliveWebSocketClient, type WebSocketServerLike } from './integrations/ws';
export {
  keepAliveEverywhere, type EverywhereHandle, type EverywhereInfo, type EverywhereSettings,
} from './everywhere';
export { parseKeepAliveEnv, type KeepAliveEnv } from './env-options';
