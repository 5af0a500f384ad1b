// The limit: a bare node:http byte-pipe proxy in front of the Workers AI emulator. It forwards
// method, path, headers and body, and pipes the upstream response's bytes back unchanged.
// `node bench/pipe-proxy.ts --upstream http://127.0.0.1:8787 [--port 0]`; prints `pipe-proxy listening on URL`.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'

export function createPipeProxy(upstream: string): http.Server {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
  return http.createServer((req, res) => {
    const headers = { ...req.headers, host: target.host }
    const up = http.request({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent,
    }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers)
      upRes.pipe(res)
    })
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.destroy()
    })
    // Client gone: stop the upstream request too (abort propagation, like the app).
    res.on('close', () => {
      if (!res.writableFinished) up.destroy()
    })
    req.pipe(up)
  })
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string' } } })
  if (!values.upstream) throw new Error('--upstream is required')
  const server = createPipeProxy(values.upstream)
  server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
    console.log(`pipe-proxy listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
