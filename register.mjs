// ESM entry of the preload (`node --import tcp-keepalive/register`): the CommonJS build, so
// `--require` and `--import` share one module instance and act once.
import './dist/register.js';
