import type { Principal } from '../auth/principal.js';

declare global {
  // Express merges this interface into `res.locals`: what our middleware leaves for the next.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The request's x-correlator (the client's, or one the gateway made). */
      correlator?: string;
      principal?: Principal;
      /** The API error code answered, for metrics and logs. */
      errorCode?: string;
      /** `camara` renders errors without the native API's `details`. */
      errorFormat?: 'camara' | 'native';
      /** The route template that answered, for metrics (never the raw path: it holds ids). */
      routeName?: string;
    }
  }
}

export {};
