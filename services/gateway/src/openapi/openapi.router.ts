import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router } from 'express';
import { cacheable } from '../http/security-headers.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** The version of the API the document describes (the native API is /v1). */
export const API_VERSION = '1.0.0';

const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>otpflow API reference</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/reference.js"></script>
  </body>
</html>
`;

const REFERENCE_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });\n`;

/**
 * Where Swagger UI's files are. Found by resolving the package's manifest rather than importing the
 * package: its entry point runs the 1.7 MB browser bundle in the gateway's process (memory, start-up
 * time, and samples of it in an idle gateway's CPU profile) only to hand back this path.
 */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The document changes only with a deployment: five minutes of caching costs nothing. */
const DOCUMENT_MAX_AGE_SECONDS = 300;
const ASSET_MAX_AGE_SECONDS = 3600;

/**
 * GET /openapi.json (the document, built once) and GET /docs (a rendered reference, Swagger UI served
 * from its npm package: no CDN, so it works on an isolated network). Public: they hold no data, so,
 * unlike every API answer, they may be cached.
 */
export function openApiRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument(API_VERSION);
  router.get('/openapi.json', cacheable(DOCUMENT_MAX_AGE_SECONDS), (_request, response) => {
    response.json(document);
  });
  router.get('/docs', cacheable(DOCUMENT_MAX_AGE_SECONDS), (_request, response) => {
    response.type('html').send(REFERENCE_PAGE);
  });
  router.get('/docs/reference.js', cacheable(DOCUMENT_MAX_AGE_SECONDS), (_request, response) => {
    response.type('application/javascript').send(REFERENCE_SCRIPT);
  });
  // serve-static leaves a Cache-Control already set alone, so the asset one is set here.
  router.use(
    '/docs/assets',
    cacheable(ASSET_MAX_AGE_SECONDS),
    express.static(SWAGGER_UI_DIR, { index: false, cacheControl: false }),
  );
  return router;
}
