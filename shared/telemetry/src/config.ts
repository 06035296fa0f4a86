import { envBool, parseEnv } from '@otpflow/config';
import { z } from 'zod';

/**
 * Tracing settings use the standard OpenTelemetry variables, so any collector documentation applies.
 * Tracing is on when an OTLP endpoint is given and the SDK is not disabled. Exported for test/deploy,
 * which holds the manifests to the variables the services read.
 */
export const tracingEnvSchema = z.object({
  OTEL_SDK_DISABLED: envBool(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** `key=value,…` for every span (the pod and namespace on Kubernetes): the SDK's env detector reads it. */
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
});

export interface TracingSettings {
  enabled: boolean;
  serviceName: string | undefined;
}

export function readTracingSettings(env: Record<string, string | undefined> = process.env): TracingSettings {
  const parsed = parseEnv(tracingEnvSchema, env);
  const endpoint = parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? parsed.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    enabled: !parsed.OTEL_SDK_DISABLED && endpoint !== undefined,
    serviceName: parsed.OTEL_SERVICE_NAME,
  };
}
