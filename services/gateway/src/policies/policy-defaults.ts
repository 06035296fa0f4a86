import type { GatewayConfig } from '../config.js';
import type { PolicyDefaults } from './client-policy.js';

/** The deployment-wide defaults of every client policy, from the settings (the gateway and the CLI). */
export function policyDefaults(config: GatewayConfig): PolicyDefaults {
  return {
    codeLength: config.CODE_LENGTH,
    validitySeconds: config.CODE_TTL_SECONDS,
    maxAttempts: config.MAX_ATTEMPTS,
    maxSends: config.MAX_SENDS,
    sendWindowSeconds: config.SEND_WINDOW_SECONDS,
    smsNumberTypes: config.SMS_NUMBER_TYPES,
    voiceNumberTypes: config.VOICE_NUMBER_TYPES,
  };
}
