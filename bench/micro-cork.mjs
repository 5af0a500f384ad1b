// Micro-benchmark behind a finding of the benchmark report: on Node 22, res.cork() + nextTick(uncork)
// on a chunked response flushes every buffered chunk as its own socket write (OutgoingMessage.uncork
// uncorks the socket before writing its chunk buffer). `node bench/micro-cork.mjs none|cork|socketcork|join`
// Does res.cork()+nextTick(uncork) coalesce chunked writes in Node 22? Server writes N frames per response
// in batches of B frames (as a relay would after one upstream read), with three strategies.
import http from 'node:http'
import { readFileSync } from 'node:fs'
const cpu = () => { const r = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return (Number(r[11]) + Number(r[12])) * 1e4 }
const mode = process.argv[2]
const N = 2000, B = 200
const frame = i => `data: {"type":"text-delta","id":"text-0","delta":" word${i}"}\n\n`
const server = http.createServer(async (req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (let b = 0; b < N; b += B) {
    if (mode === 'cork') { res.cork(); for (let i = b; i < b + B; i++) res.write(frame(i)); await new Promise(r => process.nextTick(() => { res.uncork(); r() })) }
    else if (mode === 'socketcork') { res.socket.cork(); for (let i = b; i < b + B; i++) res.write(frame(i)); res.socket.uncork() }
    else if (mode === 'join') { let s = ''; for (let i = b; i < b + B; i++) s += frame(i); res.write(s) }
    else { for (let i = b; i < b + B; i++) res.write(frame(i)) }
    await new Promise(r => setImmediate(r))
  }
  res.end()
})
server.listen(0, async () => {
  const port = server.address().port
  const agent = new http.Agent({ keepAlive: true })
  const one = () => new Promise(r => http.get({ port, agent }, res => { res.on('data', () => {}); res.on('end', r) }))
  for (let i = 0; i < 20; i++) await one()
  const c0 = cpu(), t0 = performance.now()
  for (let i = 0; i < 200; i++) await Promise.all([one(), one(), one(), one()])
  const frames = 800 * N
  console.log(mode.padEnd(10), 'process µs/frame (server+client)', ((cpu() - c0) / frames).toFixed(2), 'frames/s', Math.round(frames / ((performance.now() - t0) / 1000)))
  process.exit(0)
})
