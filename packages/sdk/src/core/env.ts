/**
 * The SDK's only read of the environment, for its two documented defaults: CAMARA_BEARER_TOKEN (as the
 * seed CAMARA SDK) and OTPFLOW_BASE_URL. An empty variable counts as unset. Outside Node (a browser, a
 * worker) there is no `process`, and every option must be passed explicitly.
 */
export function readEnv(name: 'CAMARA_BEARER_TOKEN' | 'OTPFLOW_BASE_URL'): string | undefined {
  if (typeof process === 'undefined') return undefined;
  // eslint-disable-next-line no-restricted-properties -- an SDK has no service config.ts to read its settings through: like the seed SDK, it falls back to environment variables for the options its caller leaves out.
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}
