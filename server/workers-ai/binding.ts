import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider'
import { createWorkersAI } from 'workers-ai-provider'
import type { AnswerPart, ModelRequest, StartAnswer } from './parts.ts'
import type { AiBinding } from './settings.ts'

/**
 * Asks a model through a Worker's `AI` binding, with workers-ai-provider, and maps the
 * provider's stream parts to AnswerParts. The binding hands over its own stream, so there is no
 * socket to read here.
 */
export function bindingAnswer(binding: AiBinding, gatewayId: string | undefined, request: ModelRequest): StartAnswer {
  const { max_tokens, temperature, repetition_penalty } = request.inputs
  const provider = createWorkersAI({
    binding: repetition_penalty === undefined ? binding : withInputs(binding, { repetition_penalty }),
    ...(gatewayId ? { gateway: { id: gatewayId } } : {}),
  })
  const model = provider(request.model)
  const options: LanguageModelV4CallOptions = {
    prompt: [
      { role: 'system', content: request.system },
      ...request.messages.map(message => ({ role: message.role, content: [{ type: 'text' as const, text: message.content }] })),
    ],
    maxOutputTokens: max_tokens,
    temperature,
  }
  return async (signal) => {
    const { stream } = await model.doStream({ ...options, abortSignal: signal })
    return readProviderParts(stream)
  }
}

/** The provider does not forward every input (repetition_penalty): add them to what reaches the binding. */
function withInputs(binding: AiBinding, inputs: Record<string, unknown>): AiBinding {
  return { run: (model, body, options) => binding.run(model, { ...body, ...inputs }, options) }
}

async function* readProviderParts(stream: ReadableStream<LanguageModelV4StreamPart>): AsyncGenerator<AnswerPart> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      if (value.type === 'text-delta') yield { type: 'text-delta', delta: value.delta }
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        // workers-ai-provider reports a stream that ended without [DONE] this way.
        yield {
          type: 'finish',
          truncated: value.finishReason.unified === 'error',
          usage: { promptTokens: value.usage.inputTokens.total, completionTokens: value.usage.outputTokens.total },
        }
        return
      }
    }
  }
  finally {
    reader.cancel().catch(() => {})
  }
}
