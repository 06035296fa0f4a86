import { BUDGET_SIGNALS, FRAUD_REASONS, type BudgetStanding, type ThrottleReport } from '@otpflow/fraud';
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.js';
import { tenantIdSchema } from '../auth/tenant.js';
import { parseBody } from '../http/body.js';
import { defineRoute } from '../http/route.js';

/**
 * GET /v1/admin/fraud/throttles (scope `otpflow:admin`): the throttle budgets this gateway replica
 * sees spent or nearly so, with the counts it judges them by. Throttles leave no rule behind (they end
 * with the current bucket), so only a replica's memory can tell why it answers FRAUD_THROTTLED. Targets
 * are a country (+49), a cc+3 prefix (+49151) or an address network: never a number.
 */

/** `scope`: one client id, or `*` (the address networks, every client's); without it, every scope. */
export const throttleQuerySchema = z.strictObject({
  scope: z.union([z.literal('*'), tenantIdSchema]).optional(),
});

const tallySchema = z.object({ sent: z.number().int(), verified: z.number().int() });

export const throttleListSchema = z.object({
  /** When the replica answered, and when its throttles end (the current bucket's end). */
  at: z.iso.datetime(),
  throttledUntil: z.iso.datetime(),
  /** Seconds until then, as a throttled send's Retry-After. */
  retryAfterSeconds: z.number().int(),
  throttles: z.array(
    z.object({
      signal: z.enum(BUDGET_SIGNALS),
      /** The reason a refusal reports (events, metrics). */
      reason: z.enum(FRAUD_REASONS),
      /** A client id, or `*` for an address network. */
      scope: z.string(),
      target: z.string(),
      /** Spent (sends, unverified codes, or a network's sends beyond what its verified codes earn). */
      used: z.number(),
      budget: z.number().int(),
      /** throttled: the next send it judges is refused until throttledUntil; near: 80 % spent. */
      state: z.enum(['throttled', 'near']),
      /** The shared figures this replica last synced (every replica's, its own flushed included). */
      shared: tallySchema,
      /** What this replica counted since (its next sync flushes them). */
      unsynced: tallySchema,
    }),
  ),
});
export type ThrottleList = z.output<typeof throttleListSchema>;

/** The report as answered: times as ISO strings, only the scope asked for. */
export function throttleList(report: ThrottleReport, scope: string | undefined): ThrottleList {
  return {
    at: new Date(report.now).toISOString(),
    throttledUntil: new Date(report.throttledUntil).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((report.throttledUntil - report.now) / 1000)),
    throttles: report.budgets.filter(
      (standing: BudgetStanding) => scope === undefined || standing.scope === scope,
    ),
  };
}

export const listFraudThrottles = defineRoute({
  operationId: 'listFraudThrottles',
  method: 'GET',
  path: '/throttles',
  scope: SCOPES.admin,
  summary: 'The throttle budgets this gateway sees spent or nearly so',
  description:
    'Per gateway replica, from its memory: the shared counts it last synced and its own since (docs/FRAUD.md).',
  query: [
    {
      name: 'scope',
      doc: {
        description: 'A client id, or `*` for the address networks (every client’s)',
        schema: { type: 'string' },
      },
    },
  ],
  responses: [
    {
      status: 200,
      description: 'The budgets spent or nearly so',
      body: { name: 'FraudThrottleList', schema: throttleListSchema },
    },
  ],
  handle:
    ({ fraudGuard }) =>
    ({ request, response }) => {
      const { scope } = parseBody(throttleQuerySchema, request.query);
      response.json(throttleList(fraudGuard.throttles(), scope));
      return Promise.resolve();
    },
});
