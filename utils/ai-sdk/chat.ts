// The AI SDK's chat client, loaded on demand by useChatOnDemand. Named exports here, not
// `import('ai')`, so the bundle keeps only these two and what they use.
export { useChat } from '@ai-sdk/vue'
export { DefaultChatTransport } from 'ai'
