import { exitOnSignals, loadConfigOrExit, startOrExit } from '@otpflow/lifecycle';
import { createLogger } from '@otpflow/telemetry';
import { loadConfig } from './config.js';
import { startGateway } from './gateway.js';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const gateway = await startOrExit(() => startGateway(config, logger), logger);
exitOnSignals(gateway.shutdown, logger);
