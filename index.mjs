// ESM entry: re-exports the CommonJS build so both module systems share one native binding.
import api from './dist/index.js';

export const { setKeepAlive, getKeepAlive, getTcpInfo, capabilities } = api;
export default api;
