import { exitOnSignals, loadConfigOrExit, startOrExit } from '@otpflow/lifecycle';
import { createLogger } from '@otpflow/telemetry';
import { loadConfig } from './config.js';
import { startMetricsService } from './metrics-service.js';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'metrics', level: config.LOG_LEVEL });
const service = await startOrExit(() => startMetricsService(config, logger), logger);
exitOnSignals(service.shutdown, logger);
