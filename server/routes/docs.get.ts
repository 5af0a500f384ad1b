/**
 * GET /docs: the API reference, the OpenAPI document rendered by Swagger UI. Its files come with
 * the app (nuxt.config.ts serves swagger-ui-dist at /docs/assets): nothing is fetched from
 * elsewhere, and Swagger UI's online validator is off.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Neptun chat API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true })
</script>
</body>
</html>
`

export default defineEventHandler((event) => {
  setResponseHeader(event, 'content-type', 'text/html; charset=utf-8')
  return PAGE
})
