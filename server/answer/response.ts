import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { setResponseHeaders, type H3Event } from 'h3'
import { nodeSocketOf } from '../utils/runtime.ts'
import type { AnswerEncoding, AnswerEvent } from './events.ts'

/** Where an answer is written: the response of one request, on whichever runtime serves it. */
export interface AnswerResponse {
  /** `callback` runs once if the client goes away before the response has ended. */
  onClientGone: (callback: () => void) => void
  /**
   * Sends `events` as the body, each written as `encoding` says; h3's `sendIterable`, without a
   * web stream on Node. Return what it returns from the handler.
   */
  send: (events: AsyncGenerator<AnswerEvent, void>, encoding: AnswerEncoding) => Promise<void> | ReadableStream<Uint8Array>
}

/**
 * The response of `event` as an answer's transport: written straight to the socket on Node, a
 * web stream elsewhere (Workers, Nitro's in-process fetch).
 *
 * @example const response = answerResponse(event); response.onClientGone(() => stop.abort()); return response.send(events, uiMessageStream)
 */
export function answerResponse(event: H3Event): AnswerResponse {
  const node = nodeSocketOf(event)
  return node ? socketResponse(node.res) : webStreamResponse(event)
}

function socketResponse(res: ServerResponse): AnswerResponse {
  let gone: (() => void) | undefined
  const leave = () => {
    const callback = gone
    gone = undefined
    callback?.()
  }
  res.once('close', () => {
    if (!res.writableFinished) leave()
  })
  return {
    onClientGone: (callback) => {
      gone = callback
    },
    async send(events, encoding) {
      res.writeHead(200, encoding.headers)
      res.flushHeaders()
      // Events that are ready together (tokens from one network read) are joined and written
      // once, on the next tick: one chunk header and one syscall instead of one per token.
      let pending = ''
      let scheduled = false
      const flush = () => {
        scheduled = false
        if (!pending || res.destroyed) return
        res.write(pending)
        pending = ''
      }
      try {
        for await (const event of events) {
          if (res.destroyed) {
            leave()
            break
          }
          pending += encoding.encode(event)
          if (!scheduled) {
            scheduled = true
            process.nextTick(flush)
          }
          // A slow client gets backpressure: the generation waits for it.
          if (res.writableNeedDrain) await Promise.race([once(res, 'drain'), once(res, 'close')])
        }
      }
      finally {
        await events.return()
        flush()
        res.end()
      }
    },
  }
}

function webStreamResponse(event: H3Event): AnswerResponse {
  let gone: (() => void) | undefined
  return {
    onClientGone: (callback) => {
      gone = callback
    },
    send(events, encoding) {
      setResponseHeaders(event, encoding.headers)
      const encoder = new TextEncoder()
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await events.next()
          if (done) controller.close()
          else controller.enqueue(encoder.encode(encoding.encode(value)))
        },
        async cancel() {
          gone?.()
          await events.return()
        },
      })
    },
  }
}
