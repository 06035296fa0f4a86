import type { Transport } from '../core/transport.js';
import { Policies } from './policies.js';

/** The operator's API, /v1/admin. */
export class Admin {
  readonly policies: Policies;

  constructor(transport: Transport) {
    this.policies = new Policies(transport);
  }
}
