export { SERVICE_NAME, parseConfig, type Config, type ConfigResult } from './parse-config.js';
