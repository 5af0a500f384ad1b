import { createHash } from 'node:crypto'

/**
 * GET /docs: the API reference, the OpenAPI document rendered by Swagger UI. Its files come with
 * the app (nuxt.config.ts serves swagger-ui-dist at /docs/assets): nothing is fetched from
 * elsewhere, and Swagger UI's online validator is off. Swagger UI's own colours fail WCAG AA
 * contrast, so they are darkened here; without deep links no link sits inside an operation's
 * toggle button.
 *
 * The page is not rendered by Nuxt, so it gets no nonce from nuxt-security: its own policy lets
 * scripts run from the app's origin and the one inline script by its hash, nothing else.
 */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: false })`

const CONTENT_SECURITY_POLICY = [
  'default-src \'self\'',
  `script-src 'self' 'sha256-${createHash('sha256').update(INIT_SCRIPT).digest('base64')}'`,
  'script-src-attr \'none\'',
  // Swagger UI (React) sets style attributes, and the page's own colours are one inline sheet.
  'style-src \'self\' \'unsafe-inline\'',
  'img-src \'self\' data:',
  'connect-src \'self\'',
  'object-src \'none\'',
  'base-uri \'self\'',
  'form-action \'self\'',
  'frame-ancestors \'none\'',
].join('; ')

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Neptun chat API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d5b9e }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b6e47 }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0b6b57 }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8a4600 }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b02020 }
.swagger-ui .info .title small { background: #4b5563 }
.swagger-ui .info .title small.version-stamp { background: #3b6e00 }
.swagger-ui .info .url, .swagger-ui .info a { color: #1d5b9e }
.swagger-ui .btn.authorize { color: #1b6e47; border-color: #1b6e47 }
.swagger-ui .btn.authorize svg { fill: #1b6e47 }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #3f4651 }
</style>
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>${INIT_SCRIPT}</script>
</body>
</html>
`

export default defineEventHandler((event) => {
  setResponseHeader(event, 'content-type', 'text/html; charset=utf-8')
  setResponseHeader(event, 'content-security-policy', CONTENT_SECURITY_POLICY)
  return PAGE
})
