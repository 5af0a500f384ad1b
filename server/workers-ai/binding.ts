import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider'
import type { AnswerPart, ModelRequest, StartAnswer } from './parts.ts'
import type { AiBinding } from './settings.ts'
import { thinkTagSplitter } from './think-tags.ts'
import { outputBudget, type WorkersAiInputs } from './inputs.ts'
import { imageField, promptMessages, type PromptMessage } from './prompt.ts'

/**
 * Asks a model through a Worker's `AI` binding, with workers-ai-provider, and maps the
 * provider's stream parts to AnswerParts. The binding hands over its own stream, so there is no
 * socket to read here. The provider already tells thinking sent in a field of its own from the
 * text; thinking written into the text between `<think>` tags is split off here.
 */
export function bindingAnswer(binding: AiBinding, gatewayId: string | undefined, request: ModelRequest): StartAnswer {
  const options: LanguageModelV4CallOptions = {
    prompt: promptMessages(request).map(message => message.role === 'system'
      ? { role: 'system' as const, content: String(message.content) }
      : { role: message.role, content: [{ type: 'text' as const, text: typeof message.content === 'string' ? message.content : '' }] }),
  }
  return async (signal) => {
    // Loaded on first use: only a Worker's binding needs the provider (and the AI SDK under it),
    // and a Node server would otherwise load them at its start.
    const { createWorkersAI } = await import('workers-ai-provider')
    const provider = createWorkersAI({
      binding: withInputs(binding, request.inputs, promptMessages(request), imageField(request)),
      ...(gatewayId ? { gateway: { id: gatewayId } } : {}),
    })
    const model = provider(request.model, request.sessionAffinity ? { sessionAffinity: request.sessionAffinity } : {})
    const { stream } = await model.doStream({ ...options, abortSignal: signal })
    return readProviderParts(stream, request)
  }
}

/**
 * The inputs that reach the binding are exactly the catalogue's (the provider would send its own
 * `max_tokens`, `temperature` and `top_p`, and not every model takes them), beside the messages.
 * The messages are the adapter's own, as the REST API gets them: images go the way each vision
 * model documents, which the provider does not know.
 */
function withInputs(binding: AiBinding, inputs: WorkersAiInputs, messages: PromptMessage[], image: { image?: number[] }): AiBinding {
  return {
    run: (model, body, options) => binding.run(model, { messages, ...image, stream: body.stream, ...inputs }, options),
  }
}

async function* readProviderParts(stream: ReadableStream<LanguageModelV4StreamPart>, request: ModelRequest): AsyncGenerator<AnswerPart> {
  const splitter = request.reasoning?.format === 'think-tags' ? thinkTagSplitter(request.reasoning.startsInside === true) : undefined
  const parts: AnswerPart[] = []
  const reader = stream.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      if (value.type === 'reasoning-delta') yield { type: 'reasoning-delta', delta: value.delta }
      else if (value.type === 'text-delta') {
        if (!splitter) {
          yield { type: 'text-delta', delta: value.delta }
          continue
        }
        splitter.push(value.delta, parts)
        yield* parts.splice(0)
      }
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        splitter?.end(parts)
        yield* parts.splice(0)
        const reason = value.finishReason.unified
        const usage = { promptTokens: value.usage.inputTokens.total, completionTokens: value.usage.outputTokens.total }
        // Cloudflare's own frames carry no finish reason: a used-up budget means it was cut off.
        const budget = outputBudget(request.inputs)
        const cut = reason === 'length' || (budget > 0 && (usage.completionTokens ?? 0) >= budget)
        // workers-ai-provider reports a stream that ended without [DONE] as an error.
        yield { type: 'finish', truncated: reason === 'error', finishReason: cut ? 'length' : 'stop', usage }
        return
      }
    }
  }
  finally {
    reader.cancel().catch(() => {})
  }
}
