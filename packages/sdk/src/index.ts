import { Client } from './client.js';

export { Client, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './client.js';
export type { ClientOptions } from './client.js';
export type { RequestOptions } from './core/transport.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  OtpflowError,
  PermissionDeniedError,
  RateLimitError,
} from './errors.js';
export type { ErrorBody, ErrorCode, ErrorDetails } from './errors.js';
export { Otpvalidation } from './resources/otpvalidation.js';
export type {
  OtpvalidationSendCodeParams,
  OtpvalidationSendCodeResponse,
  OtpvalidationValidateCodeParams,
} from './resources/otpvalidation.js';
export { Verifications } from './resources/verifications.js';
export type {
  DeliveryAttempt,
  Verification,
  VerificationCheckParams,
  VerificationCheckResponse,
  VerificationCreateOptions,
  VerificationCreateParams,
  VerificationResendParams,
  VerificationStatus,
  VerificationTemplateRef,
} from './resources/verifications.js';
export { Analytics } from './resources/analytics.js';
export type {
  ConversionFigures,
  ConversionParams,
  ConversionReport,
  VerificationCost,
  VerificationListParams,
  VerificationPage,
  VerificationSummary,
} from './resources/analytics.js';
export { Templates } from './resources/templates.js';
export type { Template, TemplateListResponse, TemplateUpsertParams } from './resources/templates.js';
export { Webhooks } from './resources/webhooks.js';
export type {
  Webhook,
  WebhookCreateParams,
  WebhookEventType,
  WebhookListResponse,
  WebhookUpdateParams,
  WebhookWithSecret,
} from './resources/webhooks.js';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  verifyWebhook,
  WebhookSignatureError,
} from './webhook-signature.js';
export type { VerifyWebhookOptions, WebhookEvent } from './webhook-signature.js';
export { Admin } from './resources/admin.js';
export { OwnPolicy, Policies } from './resources/policies.js';
export type { ClientPolicy, PolicyResponse, StoredPolicy } from './resources/policies.js';
export type {
  Channel,
  ChargeInfo,
  CodeAlphabet,
  Price,
  VoiceGender,
  VoiceLanguage,
  WorkflowStep,
} from './resources/shared.js';

// The seed CAMARA SDK is used as `import Camara from 'camara-sdk'; new Camara({...})`: the same line
// with this package's name must work, so the Client is also the default export.
export default Client;
