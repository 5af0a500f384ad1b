import type { ComputedRef, WritableComputedRef } from 'vue'
import type { UseChatHelpers } from '@ai-sdk/vue'
import type { ChatInit, ChatStatus, UIMessage } from 'ai'

type ChatSdk = typeof import('../utils/ai-sdk/chat')
type SdkChat<M extends UIMessage> = UseChatHelpers<M>

export interface ChatOnDemandOptions<M extends UIMessage> {
  /** The messages shown until the first answer is asked or read. */
  messages: M[]
  throttle?: number
  /** An error of the chat, or of loading the SDK. */
  onError?: (error: Error) => void
  /** The rest of useChat's init, made once the AI SDK has loaded (`sdk`: for the transport). */
  init: (sdk: ChatSdk) => Omit<ChatInit<M>, 'messages' | 'onError'>
}

export interface ChatOnDemand<M extends UIMessage> {
  messages: WritableComputedRef<M[]>
  status: ComputedRef<ChatStatus>
  error: ComputedRef<Error | undefined>
  sendMessage: (...args: Parameters<SdkChat<M>['sendMessage']>) => Promise<void>
  regenerate: (...args: Parameters<SdkChat<M>['regenerate']>) => Promise<void>
  resumeStream: (...args: Parameters<SdkChat<M>['resumeStream']>) => Promise<void>
  stop: () => Promise<void>
  clearError: () => void
}

/**
 * `useChat` from `@ai-sdk/vue`, created when first needed: the AI SDK and the zod it validates
 * streams with are about 48 KiB gzipped, a sixth of what the chat page loaded before its composer
 * took input (311 KiB), and showing stored messages needs none of it. It loads when the user starts to
 * type or click, when the page has been idle a moment, or at once when an answer is asked or
 * resumed. Until then the messages, status and error are this composable's own, and what was
 * set here is what the chat starts from.
 *
 * @example const chat = useChatOnDemand({ messages, init: sdk => ({ transport: new sdk.DefaultChatTransport({ api }) }) })
 */
export function useChatOnDemand<M extends UIMessage>(options: ChatOnDemandOptions<M>): ChatOnDemand<M> {
  const shown = shallowRef<M[]>(options.messages)
  const sdkChat = shallowRef<SdkChat<M>>()
  /** Requests waiting for the SDK: asked, as far as the page is concerned. */
  const waiting = ref(0)
  const loadError = shallowRef<Error>()
  const scope = effectScope()
  let loading: Promise<SdkChat<M>> | undefined

  function load(): Promise<SdkChat<M>> {
    loading ??= import('../utils/ai-sdk/chat').then((sdk) => {
      const chat = scope.run(() => sdk.useChat<M>({ ...options.init(sdk), onError: options.onError, messages: shown.value, throttle: options.throttle }))!
      // The SDK starts from copies of the messages; handed back the very ones shown, it keeps
      // them, so nothing re-renders as it takes over (a preload on a keypress would otherwise
      // redraw the whole conversation under the user, mid-scroll).
      chat.messages.value = shown.value
      sdkChat.value = chat
      return chat
    }, (error: unknown) => {
      // A chunk that failed to load (offline, or a deployment replaced it) is tried again next time.
      loading = undefined
      throw error
    })
    return loading
  }

  /**
   * Runs `act` on the SDK's chat, loading it first. An `asked` request (a question, a
   * regenerate) shows as submitted from the moment it is made: while the SDK loads, and after,
   * until the SDK's own status leaves 'ready' (it stays there a few microtasks into
   * `sendMessage`), so the page never sees it go back to ready in between.
   */
  async function withChat<T>(act: (chat: SdkChat<M>) => Promise<T>, asked = true): Promise<T | undefined> {
    if (sdkChat.value) return act(sdkChat.value)
    if (asked) waiting.value++
    let released = !asked
    const release = () => {
      if (!released) waiting.value--
      released = true
    }
    let chat: SdkChat<M>
    try {
      chat = await load()
    }
    catch (error) {
      release()
      // Shown only when something was asked: a preload that failed says nothing.
      loadError.value = error instanceof Error ? error : new Error(String(error))
      options.onError?.(loadError.value)
      return undefined
    }
    loadError.value = undefined
    const unwatch = watch(chat.status, (status: ChatStatus) => {
      if (status !== 'ready') release()
    }, { flush: 'sync' })
    try {
      return await act(chat)
    }
    finally {
      unwatch()
      release()
    }
  }

  /**
   * The SDK did not load, so nothing was sent: the question stays in the conversation, as it
   * would after a failed request, and Retry asks it again.
   */
  function keepUnsent(message: Parameters<SdkChat<M>['sendMessage']>[0]): void {
    if (!message || !('text' in message) || typeof message.text !== 'string') return
    const files = Array.isArray(message.files) ? message.files : []
    shown.value = [...shown.value, { id: crypto.randomUUID(), role: 'user', parts: [...files, { type: 'text', text: message.text }] } as unknown as M]
  }

  let stopPreloading = () => {}
  if (import.meta.client) {
    onMounted(() => {
      const preload = () => {
        stopPreloading()
        void load().catch(() => {})
      }
      const idle = setTimeout(() => 'requestIdleCallback' in window ? requestIdleCallback(preload, { timeout: PRELOAD_AFTER_MS }) : preload(), PRELOAD_AFTER_MS)
      for (const type of PRELOAD_ON) window.addEventListener(type, preload, { capture: true, passive: true })
      stopPreloading = () => {
        clearTimeout(idle)
        for (const type of PRELOAD_ON) window.removeEventListener(type, preload, true)
      }
    })
  }
  onScopeDispose(() => {
    stopPreloading()
    scope.stop()
  })

  return {
    messages: computed({
      get: (): M[] => sdkChat.value ? sdkChat.value.messages.value : shown.value,
      set: (messages: M[]) => {
        if (sdkChat.value) sdkChat.value.messages.value = messages
        else shown.value = messages
      },
    }),
    status: computed((): ChatStatus => waiting.value ? 'submitted' : sdkChat.value?.status.value ?? 'ready'),
    error: computed(() => sdkChat.value?.error.value ?? loadError.value),
    sendMessage: async (...args) => {
      const asked = await withChat(chat => chat.sendMessage(...args).then(() => true))
      if (!asked) keepUnsent(args[0])
    },
    regenerate: (...args) => withChat(chat => chat.regenerate(...args)),
    // Not shown as asked while the SDK loads: a resume may find nothing in progress (204).
    resumeStream: (...args) => withChat(chat => chat.resumeStream(...args), false),
    /** Nothing to stop or clear before the SDK has loaded. */
    stop: async () => sdkChat.value?.stop(),
    clearError: () => {
      loadError.value = undefined
      sdkChat.value?.clearError()
    },
  }
}

/** The first sign that the user is about to ask something. */
const PRELOAD_ON = ['keydown', 'pointerdown', 'touchstart'] as const

/** Otherwise the SDK loads once the page has settled. */
const PRELOAD_AFTER_MS = 2000
