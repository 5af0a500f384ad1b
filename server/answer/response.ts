import type { ServerResponse } from 'node:http'
import { setResponseHeaders, type H3Event } from 'h3'
import { nodeSocketOf } from '../utils/runtime.ts'
import type { AnswerEncoding, AnswerEvent, AnswerReader } from './events.ts'

/** Where an answer is written: the response of one request, on whichever runtime serves it. */
export interface AnswerResponse {
  /** `callback` runs once if the client goes away before the response has ended. */
  onClientGone: (callback: () => void) => void
  /**
   * Sends what `reader` reads as the body, each event written as `encoding` says, until the
   * answer's `end` or until the client leaves; then closes the reader. Return what it returns
   * from the handler.
   */
  send: (reader: AnswerReader, encoding: AnswerEncoding) => Promise<void> | ReadableStream<Uint8Array>
}

/**
 * The response of `event` as an answer's transport: written straight to the socket on Node, a
 * web stream elsewhere (Workers, Nitro's in-process fetch).
 *
 * @example const response = answerResponse(event); response.onClientGone(() => stop.abort()); return response.send(answer.read(), uiMessageStream)
 */
export function answerResponse(event: H3Event): AnswerResponse {
  const node = nodeSocketOf(event)
  return node ? socketResponse(node.res) : webStreamResponse(event)
}

/** The events as text, and whether the answer's `end` is among them. */
function encodeAll(events: AnswerEvent[], encoding: AnswerEncoding): { text: string, ended: boolean } {
  let text = ''
  let ended = false
  for (const event of events) {
    text += encoding.encode(event)
    if (event.type === 'end') ended = true
  }
  return { text, ended }
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
    send(reader, encoding) {
      res.writeHead(200, encoding.headers)
      res.flushHeaders()
      return new Promise<void>((resolve) => {
        let scheduled = false
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          reader.close()
          resolve()
        }
        // Events that are ready together (the tokens of one network read) are joined and
        // written once, on the next tick: one chunk header and one syscall instead of one per token.
        const flush = () => {
          scheduled = false
          if (finished) return
          if (res.destroyed) return finish()
          // A slow client gets backpressure: its events wait in the answer until it drains.
          if (res.writableNeedDrain) return
          const { text, ended } = encodeAll(reader.take(), encoding)
          if (ended) {
            res.end(text)
            finish()
          }
          else if (text) {
            res.write(text)
          }
        }
        const schedule = () => {
          if (scheduled) return
          scheduled = true
          process.nextTick(flush)
        }
        res.on('drain', schedule)
        res.once('close', finish)
        reader.onReady(schedule)
        schedule()
      })
    },
  }
}

function webStreamResponse(event: H3Event): AnswerResponse {
  let gone: (() => void) | undefined
  return {
    onClientGone: (callback) => {
      gone = callback
    },
    send(reader, encoding) {
      setResponseHeaders(event, encoding.headers)
      const encoder = new TextEncoder()
      let wake: (() => void) | undefined
      reader.onReady(() => wake?.())
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          let events = reader.take()
          while (!events.length) {
            await new Promise<void>((resolve) => {
              wake = resolve
            })
            wake = undefined
            events = reader.take()
          }
          const { text, ended } = encodeAll(events, encoding)
          controller.enqueue(encoder.encode(text))
          if (ended) {
            reader.close()
            controller.close()
          }
        },
        cancel() {
          gone?.()
          reader.close()
        },
      })
    },
  }
}
