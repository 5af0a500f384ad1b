import { describe, expect, inject, it } from 'vitest'
import { readUiStream, signUp } from '../support/api-client.ts'

describe('chat endpoint smoke', () => {
  it('streams an answer into a saved chat and stores both messages', async () => {
    const user = await signUp(inject('appUrl'))
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: 'Hello, how are you?' }])
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const stream = await readUiStream(res)
    expect(stream.done).toBe(true)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json()
    expect(stored.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant'])
    expect(stored.messages[1].content).toBe(stream.text)
  })
})
