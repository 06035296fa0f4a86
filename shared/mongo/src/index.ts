export { codeStateOf } from './code-state.js';
export type { CodeStateRef } from './code-state.js';
export { detectStoreCapabilities } from './capabilities.js';
export { countStoreCommands } from './command-metrics.js';
export type { StoreCapabilities } from './capabilities.js';
export { claimModel, tryClaim } from './claim.model.js';
export type { ClaimDocument, ClaimModel } from './claim.model.js';
export {
  connectMongo,
  isDuplicateKeyError,
  isMongoUnavailableError,
  pingMongo,
  typedCollection,
} from './connection.js';
export type { MongoSettings } from './connection.js';
export { ensureIndexes, startExpirySweeper } from './indexes.js';
export type { ExpiringCollection } from './indexes.js';
export { DELIVERY_STATUSES, deliveryModel, deliveryReceiptKeyModel, receiptKeyOf } from './delivery.model.js';
export type {
  DeliveryAttemptRecord,
  DeliveryDocument,
  DeliveryModel,
  DeliveryReceiptKeyDocument,
  DeliveryReceiptKeyModel,
  DeliveryStatus,
} from './delivery.model.js';
export {
  CLAIM_OUTCOMES,
  CODE_STATUSES,
  codeEntrySchema,
  isCodeClaim,
  NUMBERS_COLLECTION,
  numberDocumentOf,
  numbersCollection,
  numbersExpiry,
} from './number.model.js';
export type {
  ClaimOutcome,
  CodeAlphabet,
  CodeClaim,
  CodeContent,
  CodeEntry,
  CodeStatus,
  NumberDocument,
  NumbersCollectionDocument,
  SendWindows,
  TenantPart,
} from './number.model.js';
export { mongoEnvShape, mongoSettingsFromEnv } from './mongo-env.js';
export { openStore, type StoreCollections } from './store.js';
export type { Store } from './store.js';
export {
  MAX_ENDPOINTS_PER_CLIENT,
  newEndpointId,
  WEBHOOKS_COLLECTION,
  WebhookEndpoints,
} from './webhook-endpoints.js';
export type { WebhookEndpoint } from './webhook-endpoints.js';
export {
  ensureReadModelIndexes,
  HOURLY_BUCKET_INDEXES,
  HOURLY_BUCKETS_COLLECTION,
  hourlyBuckets,
  readModelsExpiry,
  RECORD_STATUSES,
  VERIFICATION_RECORD_INDEXES,
  VERIFICATION_RECORDS_COLLECTION,
  verificationRecords,
} from './verification-record.model.js';
export type {
  HourlyBucketDocument,
  RecordCharge,
  RecordStatus,
  VerificationRecordDocument,
} from './verification-record.model.js';
