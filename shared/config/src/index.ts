export { ConfigError, parseEnv } from './parse-env.js';
export { envBool, envInt, envList, logLevel, nodeEnv } from './env-types.js';
