// Serves the bundled Swagger UI (swagger-ui-dist, no CDN) at /swagger/, pointed at this server's /swagger.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const DIST = dirname(require.resolve('swagger-ui-dist/package.json'));

/** Files the page needs, with their content types; nothing else in the package is reachable. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Scoring API - Swagger UI</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="./index.css" />
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// "Authorize" takes the full header value, as on Azure: "Bearer <key>".
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../swagger.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout'
  });
};
`;

/** Registers GET /swagger, /swagger/ and its assets. Asset files are read once, on first use. */
export function registerSwaggerUi(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get('/swagger', async (_request, reply) => reply.redirect('/swagger/'));
  app.get('/swagger/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(INDEX_HTML));
  app.get('/swagger/swagger-initializer.js', async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(INITIALIZER),
  );
  app.get<{ Params: { file: string } }>('/swagger/:file', async (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (type === undefined) return reply.code(404).send({ message: `no such Swagger UI file; open /swagger/` });
    let content = cache.get(request.params.file);
    if (content === undefined) {
      content = readFileSync(join(DIST, request.params.file));
      cache.set(request.params.file, content);
    }
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
  });
}
