import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * The HTTP server of an express app, whose requests and responses are born with the app's
 * prototypes. Express re-parents every request and response as it takes them
 * (`Object.setPrototypeOf` to `app.request` and `app.response`): each object then changes its hidden
 * class in the middle of the request, and V8 reads its fields through slower lookups in every
 * handler after that. Here the node server makes them as instances of classes whose prototypes are
 * the app's own (the express prototypes still behind them), so express's re-parenting finds the
 * prototype already in place and changes nothing. Once per app: it re-parents the app's prototypes.
 */
export function createExpressServer(app: Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
