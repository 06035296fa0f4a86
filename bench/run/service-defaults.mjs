import { loadConfig as loadDispatcherConfig } from '../../services/dispatcher/dist/config.js';
import { loadConfig as loadGatewayConfig } from '../../services/gateway/dist/config.js';

/**
 * What the services run with where the bench sets nothing, read from their own configuration as built
 * (the environments are the bench's own, `gateway` and `dispatcher`): the results state them, and the
 * ceiling gets the gateway's pool size so both servers have the same driver settings.
 */
export function serviceDefaults({ gateway, dispatcher }) {
  return {
    gatewayMongoPoolSize: loadGatewayConfig(gateway).MONGODB_MAX_POOL_SIZE,
    dispatcherPrefetch: loadDispatcherConfig(dispatcher).PREFETCH,
  };
}
