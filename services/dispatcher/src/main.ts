import { exitOnSignals, loadConfigOrExit, startOrExit } from '@otpflow/lifecycle';
import { createLogger } from '@otpflow/telemetry';
import { loadConfig } from './config.js';
import { startDispatcher } from './dispatcher.js';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'dispatcher', level: config.LOG_LEVEL });
const dispatcher = await startOrExit(() => startDispatcher(config, logger), logger);
exitOnSignals(dispatcher.shutdown, logger);
