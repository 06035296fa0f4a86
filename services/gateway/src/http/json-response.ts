import type { Response } from 'express';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Answers with a JSON body: the same status, headers and bytes as express's `res.status().json()`,
 * without what `res.send` does on the way (looking the content type up in the MIME database, parsing
 * it again to set the charset, the freshness check for a conditional GET this API never answers
 * with 304). A HEAD request gets the headers only: Node's HTTP server drops the body.
 */
export function sendJson(response: Response, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Content-Type', JSON_CONTENT_TYPE);
  response.setHeader('Content-Length', Buffer.byteLength(json));
  response.end(json);
}
