import express, { Router } from 'express';
import swaggerUi from 'swagger-ui-dist';
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
 * GET /openapi.json (the document, built once) and GET /docs (a rendered reference, Swagger UI served
 * from its npm package: no CDN, so it works on an isolated network). Public: they hold no data.
 */
export function openApiRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument(API_VERSION);
  router.get('/openapi.json', (_request, response) => {
    response.json(document);
  });
  router.get('/docs', (_request, response) => {
    response.type('html').send(REFERENCE_PAGE);
  });
  router.get('/docs/reference.js', (_request, response) => {
    response.type('application/javascript').send(REFERENCE_SCRIPT);
  });
  router.use('/docs/assets', express.static(swaggerUi.getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
  return router;
}
