import type { StoreCapabilities } from '@otpflow/mongo';
import type { GatewayConfig } from '../../config.js';
import type { AttemptGuard, GuardContext } from './attempt-guard.js';
import { ClaimsGuard } from './claims.guard.js';
import { ConditionalUpdateGuard } from './conditional-update.guard.js';

/** Picks how attempts are counted: conditional updates where the store applies them atomically. */
export function chooseAttemptGuard(
  strategy: GatewayConfig['ATTEMPT_STRATEGY'],
  capabilities: StoreCapabilities,
  context: GuardContext,
): AttemptGuard {
  if (strategy === 'conditional-update' && !capabilities.atomicConditionalUpdates) {
    throw new Error(
      `ATTEMPT_STRATEGY=conditional-update is unsafe on ${capabilities.kind}: its updates are not atomic`,
    );
  }
  const conditional =
    strategy === 'conditional-update' || (strategy === 'auto' && capabilities.atomicConditionalUpdates);
  return conditional ? new ConditionalUpdateGuard(context) : new ClaimsGuard(context);
}
