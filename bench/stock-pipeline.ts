// The peer: the stock AI SDK pipeline that the Nuxt UI chat template uses, in a bare h3 app:
// streamText(workers-ai-provider model).toUIMessageStreamResponse(), returned as a web Response.
// No session, no database: only the relay.
// `node bench/stock-pipeline.ts --upstream http://127.0.0.1:8787/client/v4 [--port 0]`
// prints `stock-pipeline listening on URL`; the route is POST /api/chat {messages:[{role,content}]}.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { createApp, createRouter, defineEventHandler, readBody, sendWebResponse, toNodeListener } from 'h3'
import { streamText, type ModelMessage } from 'ai'
import { createWorkersAI } from 'workers-ai-provider'

const CLOUDFLARE = 'https://api.cloudflare.com/client/v4'
export const STOCK_MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'

export function createStockApp(options: { upstream: string, accountId: string, apiKey: string }) {
  const base = options.upstream.replace(/\/+$/, '')
  // workers-ai-provider has no base-URL option: rewrite Cloudflare's URLs to the emulator.
  const rewritingFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    return fetch(url.startsWith(CLOUDFLARE) ? base + url.slice(CLOUDFLARE.length) : url, init)
  }
  const app = createApp()
  const router = createRouter()
  router.post('/api/chat', defineEventHandler(async (event) => {
    const { messages } = await readBody<{ messages: ModelMessage[] }>(event)
    const workersai = createWorkersAI({ accountId: options.accountId, apiKey: options.apiKey, fetch: rewritingFetch })
    const result = streamText({
      model: workersai(STOCK_MODEL),
      system: 'You are a helpful assistant.',
      messages,
      maxOutputTokens: 2048, // same as the app; Workers AI's default is 256
      abortSignal: abortOnClose(event.node.res), // abort propagation, as the app has
    })
    return sendWebResponse(event, result.toUIMessageStreamResponse())
  }))
  app.use(router)
  return app
}

function abortOnClose(res: import('node:http').ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  return controller.signal
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    upstream: { type: 'string' }, port: { type: 'string' },
    account: { type: 'string' }, token: { type: 'string' },
  } })
  if (!values.upstream) throw new Error('--upstream is required')
  const app = createStockApp({ upstream: values.upstream, accountId: values.account ?? 'emulator-account', apiKey: values.token ?? 'emulator-token' })
  const server = createServer(toNodeListener(app))
  server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
    console.log(`stock-pipeline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })
  const stop = () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
