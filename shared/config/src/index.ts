export { ConfigError, parseEnv } from './parse-env.js';
export { envBool, envInt, envList, envUrl, logLevel, nodeEnv } from './env-types.js';
