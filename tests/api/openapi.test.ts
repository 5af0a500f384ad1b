// The OpenAPI document: valid OpenAPI 3.1 (checked by an OpenAPI validator), generated from the
// contract, covering every /api route the built server serves; and /docs renders it from the
// app's own files.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, OPENAI_BASE_PATH } from '../../shared/contract/index.ts'
import { ROOT } from '../../harness/app-server.ts'

const appUrl = inject('appUrl')

interface OpenApi {
  openapi: string
  paths: Record<string, Record<string, {
    parameters: { name: string, in: string, required: boolean, schema: Record<string, unknown> }[]
    requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }
    responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>
    security: Record<string, string[]>[]
  }>>
  components: { schemas: Record<string, unknown> }
}

let document: OpenApi
beforeAll(async () => {
  const res = await fetch(`${appUrl}/api/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  document = await res.json() as OpenApi
})

/**
 * The routes the built server serves, from Nitro's handler table in .output: method and path,
 * `:param` written as OpenAPI's `{param}`. The catch-alls (`/api`, `/api/**`) only answer 404.
 */
function servedRoutes(): string[] {
  const table = readFileSync(join(ROOT, '.output/server/chunks/nitro/nitro.mjs'), 'utf8')
  const routes = [...table.matchAll(/\{ route: '([^']*)', handler: [^,]+, lazy: \w+, middleware: false, method: (?:"(\w+)"|undefined) \}/g)]
    .map(([, path, method]) => ({ path: path!.replace(/:(\w+)/g, '{$1}'), method: method ?? 'get' }))
    .filter(({ path }) => (path.startsWith('/api/') || path === '/docs') && !path.endsWith('/**'))
  return routes.map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort()
}

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0')
    const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0])
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('describes every route the server serves, and no other', () => {
    const served = servedRoutes()
    // The handler table was found and read: the chat endpoint and this document are in it.
    expect(served).toEqual(expect.arrayContaining(['POST /api/ai/cloudflare/{model_name}/chat', 'GET /api/openapi.json', 'GET /docs', 'POST /api/v1/chat/completions']))
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`)).sort()
    expect(documented).toEqual(served)
  })

  it('describes the chat endpoint as the contract has it: query, body, stream and error shape', () => {
    const chat = document.paths['/api/ai/cloudflare/{model_name}/chat']!.post!
    expect(chat.parameters.map(({ name, in: where, required }) => [name, where, required])).toEqual([
      ['model_name', 'path', true], ['chat_id', 'query', true], ['is_playground', 'query', false],
    ])
    const body = chat.requestBody!.content['application/json']!.schema as { properties: { messages: { items: { properties: Record<string, unknown>, required: string[] } } }, required: string[] }
    expect(body.required).toEqual(['messages'])
    // `parts` (a user message's images, as file parts) is optional: the seed's {role, content} still suffices.
    expect(Object.keys(body.properties.messages.items.properties)).toEqual(['role', 'content', 'isStreaming', 'parts'])
    expect(body.properties.messages.items.required).toEqual(['role', 'content'])
    expect(Object.keys(chat.responses['200']!.content!)).toEqual(['text/event-stream', 'text/plain'])
    for (const status of ['400', '401', '404', '429', '500']) {
      expect(chat.responses[status]!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ApiError' })
    }
    expect(document.components.schemas.ApiError).toMatchObject({ required: ['statusCode', 'statusMessage'] })
    expect(JSON.stringify(chat.responses)).toContain(ERRORS.invalidModel)
  })

  it('gives the OpenAI-compatible routes OpenAI\'s error shape and API keys only', () => {
    for (const [path, methods] of Object.entries(document.paths).filter(([path]) => path.startsWith(`${OPENAI_BASE_PATH}/`))) {
      for (const operation of Object.values(methods)) {
        expect(operation.security, path).toEqual([{ apiKey: [] }])
        expect(operation.responses['401']!.content!['application/json']!.schema, path).toEqual({ $ref: '#/components/schemas/OpenAiError' })
      }
    }
    const completions = document.paths[`${OPENAI_BASE_PATH}/chat/completions`]!.post!
    expect(Object.keys((completions.requestBody!.content['application/json']!.schema as { properties: object }).properties))
      .toEqual(expect.arrayContaining(['model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed']))
    expect(completions.parameters.map(parameter => parameter.name)).toContain('x-neptun-chat-id')
  })
})

describe('GET /docs', () => {
  it('renders the document with the app\'s own copy of Swagger UI: nothing from another origin', async () => {
    const res = await fetch(`${appUrl}/docs`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await res.text()
    expect(html).toContain('/api/openapi.json')
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!)
    expect(assets.length).toBeGreaterThanOrEqual(2)
    for (const asset of assets) expect((await fetch(`${appUrl}${asset}`)).status, asset).toBe(200)
  })
})
