export { AppError, DependencyUnavailableError, SchemaError } from './app-error.js';
export { API_ERRORS, ApiError } from './api-errors.js';
export type { ApiErrorBody, ApiErrorCode, ApiErrorDetails } from './api-errors.js';
