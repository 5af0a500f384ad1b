import { z } from 'zod'
import { API_KEY_PREFIX, CHAT_ID_HEADER, ERRORS, OPENAI_BASE_PATH } from '#shared/contract'
import { apiErrorSchema, openAiErrorSchema } from '#shared/contract/responses'
import { ROUTES, type Operation } from './routes.ts'

type JsonSchema = Record<string, unknown>

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), as a client sends it (`input`):
 * a check zod cannot express (a refinement, a transform) becomes a schema that allows more,
 * never less. Named schemas (`.meta({ id })`) go to components and are referenced.
 */
function jsonSchema(schema: z.ZodType, components: Record<string, JsonSchema>): JsonSchema {
  const generated = JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))
  const { $schema: _, $defs, ...root } = JSON.parse(generated.replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & { $defs?: Record<string, JsonSchema> }
  Object.assign(components, $defs)
  return root
}

function parameters(where: 'path' | 'query', object: z.ZodObject | undefined, components: Record<string, JsonSchema>) {
  if (!object) return []
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, components)
    const optional = (field as z.ZodType).safeParse(undefined).success
    return { name, in: where, required: where === 'path' || !optional, schema }
  })
}

const SECURITY: Record<Operation['access'], Record<string, string[]>[]> = {
  user: [{ session: [] }, { apiKey: [] }],
  apiKey: [{ apiKey: [] }],
  public: [],
}

function operationObject(path: string, operation: Operation, components: Record<string, JsonSchema>) {
  const openAi = path.startsWith(`${OPENAI_BASE_PATH}/`)
  const error = { $ref: `#/components/schemas/${openAi ? 'OpenAiError' : 'ApiError'}` }
  const responses: Record<string, unknown> = {}
  for (const [status, response] of Object.entries(operation.responses)) {
    if (response === null) responses[status] = { description: 'No content' }
    else if (response instanceof z.ZodType) responses[status] = { description: 'OK', content: { 'application/json': { schema: jsonSchema(response, components) } } }
    else responses[status] = { description: response.description, content: Object.fromEntries(Object.entries(response.content).map(([type, schema]) => [type, schema ? { schema: jsonSchema(schema, components) } : {}])) }
  }
  const signedIn = { 401: 'No valid session or API key', 429: `${ERRORS.apiRateLimited} (Retry-After)` }
  const errors = { ...(operation.access === 'public' ? {} : signedIn), ...operation.errors, 500: 'Internal Server Error' }
  for (const [status, description] of Object.entries(errors)) responses[status] = { description, content: { 'application/json': { schema: error } } }
  const headers = path === '/api/v1/chat/completions'
    ? [{ name: CHAT_ID_HEADER, in: 'header', required: false, description: 'Append the exchange to this saved chat of the user.', schema: { type: 'string', pattern: '^[0-9]+$' } }]
    : []
  return {
    tags: operation.tags,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: SECURITY[operation.access],
    parameters: [...parameters('path', operation.path, components), ...parameters('query', operation.query, components), ...headers],
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, components) } } } } : {}),
    responses,
  }
}

let built: JsonSchema | undefined

/**
 * The OpenAPI 3.1 document of the whole API, generated from the zod contract (request schemas,
 * error texts) and the response schemas, so it cannot drift from what the server checks.
 *
 * @example return openApiDocument()
 */
export function openApiDocument(): JsonSchema {
  if (built) return built
  const components: Record<string, JsonSchema> = {}
  jsonSchema(apiErrorSchema, components)
  jsonSchema(openAiErrorSchema, components)
  const paths = Object.fromEntries(Object.entries(ROUTES).map(([path, methods]) => [
    path,
    Object.fromEntries(Object.entries(methods).map(([method, operation]) => [method, operationObject(path, operation, components)])),
  ]))
  built = {
    openapi: '3.1.0',
    info: {
      title: 'Neptun chat API',
      version: '1',
      description: `Chat with Cloudflare Workers AI models. Programs authenticate with a personal API key (\`Authorization: Bearer ${API_KEY_PREFIX}…\`, created on the settings page); the browser uses the \`neptun-session\` cookie. The OpenAI-compatible API lives under \`${OPENAI_BASE_PATH}\` and takes API keys only.`,
    },
    tags: [...new Set(Object.values(ROUTES).flatMap(methods => Object.values(methods).flatMap(operation => operation.tags)))].map(name => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'neptun-session' },
        apiKey: { type: 'http', scheme: 'bearer', description: `A personal API key, \`${API_KEY_PREFIX}…\`` },
      },
    },
  }
  return built
}
