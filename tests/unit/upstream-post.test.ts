// The upstream request on Node (node:http): connections are reused after a complete answer and
// closed when an answer is cut short, which is what stops the generation at Cloudflare.
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readText, upstreamPost } from '../../server/workers-ai/upstream-post.ts'

describe('upstreamPost on Node', () => {
  let server: http.Server
  let url: string
  let connections = 0
  const closedEarly: string[] = []
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const mode = new URL(req.url!, 'http://x').pathname
      if (mode === '/error') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' })
        res.end('{"success":false,"errors":[{"code":3040}]}')
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let n = 0
      const tick = setInterval(() => {
        if (n < 3 || mode === '/endless') res.write(`data: {"response":"t${n++}"}\n\n`)
        else {
          clearInterval(tick)
          res.end('data: [DONE]\n\n')
        }
      }, 5)
      res.on('close', () => {
        clearInterval(tick)
        if (!res.writableFinished) closedEarly.push(mode)
      })
    })
    server.on('connection', () => { connections++ })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  const readAll = async (path: string) => {
    const response = await upstreamPost(`${url}${path}`, { 'content-type': 'application/json' }, '{}', new AbortController().signal)
    let text = ''
    for await (const chunk of response.body) {
      text += Buffer.from(chunk).toString()
      if (text.includes('[DONE]')) break
    }
    response.cancel(true)
    return text
  }

  it('keeps one connection for answers read to [DONE]', async () => {
    const before = connections
    for (let i = 0; i < 3; i++) {
      expect(await readAll('/complete')).toContain('data: [DONE]')
      // The body's last bytes are read after [DONE]; then the socket goes back to the pool.
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(connections - before).toBe(1)
  })

  it('closes the connection when an answer is cut short', async () => {
    const response = await upstreamPost(`${url}/endless`, {}, '{}', new AbortController().signal)
    const iterator = response.body[Symbol.asyncIterator]()
    await iterator.next()
    response.cancel(false)
    await expect.poll(() => closedEarly).toContain('/endless')
  })

  it('closes it when the signal aborts mid-answer', async () => {
    const controller = new AbortController()
    const response = await upstreamPost(`${url}/endless`, {}, '{}', controller.signal)
    const reading = (async () => {
      for await (const _ of response.body) controller.abort()
    })()
    await expect(reading).rejects.toThrow()
    await expect.poll(() => closedEarly.filter(m => m === '/endless').length).toBe(2)
  })

  it('hands over the status, headers and body of an error answer', async () => {
    const response = await upstreamPost(`${url}/error`, {}, '{}', new AbortController().signal)
    expect(response.status).toBe(429)
    expect(response.headers['retry-after']).toBe('7')
    expect(await readText(response)).toContain('3040')
  })

  it('rejects when the connection is refused', async () => {
    const closed = http.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    closed.close()
    await expect(upstreamPost(`http://127.0.0.1:${port}/`, {}, '{}', new AbortController().signal)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
