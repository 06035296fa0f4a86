export {
  channelSchema,
  phoneNumberSchema,
  senderIdSchema,
  voiceGenderSchema,
  voiceLanguageSchema,
} from './channel.js';
export type { Channel, VoiceGender, VoiceLanguage } from './channel.js';
export {
  EVENT_SCHEMA,
  EVENT_TYPES,
  eventTypeSchema,
  maskedNumberSchema,
  otpEventSchema,
  rejectionReasonSchema,
  smsEncodingSchema,
} from './events.js';
export type { EventType, OtpEvent, OtpEventInput, RejectionReason, SmsEncoding } from './events.js';
export { ATTEMPT_HEADERS, FIRST_ATTEMPT, attemptHeaders, readAttempt } from './job-attempt.js';
export type { JobAttempt } from './job-attempt.js';
export { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, usesDevelopmentJobKey } from './job-crypto.js';
export type { JobKey } from './job-crypto.js';
export { JOB_REJECTIONS, JobRejectedError } from './job-rejection.js';
export type { JobRejection } from './job-rejection.js';
export { encodeSendJob, openSendJob, parseSendJob } from './send-job-codec.js';
export { parseMessageBody } from './message-body.js';
export { parseEventMessage, REQUESTED_EVENT_ROUTING_KEY, requestedEventOfJob } from './event-message.js';
export type { EventMessage } from './event-message.js';
export type { SendJobFields } from './send-job-codec.js';
export {
  SEND_JOB_SCHEMA,
  sealedSendPayloadSchema,
  sendJobEnvelopeSchema,
  sendJobSchema,
} from './send-job.js';
export type { SealedSendPayload, SendJob, SendJobEnvelope, SendJobInput } from './send-job.js';
export { RandomBytesPool } from './random-pool.js';
export { smsChargeInfo, smsEncodingOf, splitSms } from './sms-segments.js';
export type { SmsChargeInfo, SmsSegments } from './sms-segments.js';
export { addPrices, priceFromUnits, priceOf, priceSchema, priceUnits } from './price.js';
export type { Price } from './price.js';
export {
  CALLBACK_EVENT_TYPES,
  CALLBACK_JOB_SCHEMA,
  callbackEventTypeSchema,
  callbackJobSchema,
  callbackPayloadSchema,
  newWebhookSecret,
  openWebhookSecret,
  sealWebhookSecret,
} from './callback.js';
export type { CallbackEventType, CallbackJob, CallbackPayload } from './callback.js';
export {
  MAX_STEP_TIMEOUT_SECONDS,
  MAX_WORKFLOW_STEPS,
  MIN_STEP_TIMEOUT_SECONDS,
  secondsBeforeLastStep,
  workflowSchema,
  workflowStepSchema,
} from './workflow.js';
export type { Workflow, WorkflowStep } from './workflow.js';
export { addressRange, embeddedIpv4 } from './address-range.js';
export type { AddressRange } from './address-range.js';
export { TENANT_ID_MAX_LENGTH, tenantIdFieldSchema } from './tenant-id.js';
