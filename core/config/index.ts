export {
  loadConfig,
  validate,
  ConfigError,
  resolveEnvName,
  type ConfigProblem,
  type LoadConfigOptions,
} from './load.js';
export { redactConfig } from './redact.js';
export type { Config } from '../../schemas/config.js';
