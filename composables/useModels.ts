import type { CurrentUser } from '#shared/contract'
import { DEFAULT_MODEL_NAME, LIVE_MODELS, isLiveModel, type LiveModel, type ModelConfiguration } from '#shared/contract/models'

/**
 * The models that answer (GET /api/ai/models, the bundled catalogue until it arrives) and the
 * user's last used model: new chats and the playground start with it. That one is kept in a
 * cookie, so the server-rendered page already shows it, and brought in line with the server's
 * record (the user's last turn on any device) once per visit.
 */
export function useModels() {
  const models = useState<readonly LiveModel[]>('models', () => LIVE_MODELS)
  const preferredName = useCookie<string>('neptun-model', { default: () => DEFAULT_MODEL_NAME, sameSite: 'lax' })
  const synced = useState('models-synced', () => false)

  /** The live model called `name`, or the default one (an old or retired name picks the default). */
  function resolve(name: string | null | undefined): LiveModel {
    const live = models.value
    return live.find(model => model.name === name) ?? live.find(model => model.name === DEFAULT_MODEL_NAME) ?? live[0]!
  }

  /** How a model is called in the UI: its catalogue label, or its bare name when the catalogue no longer has it. */
  function labelOf(name: string): string {
    return models.value.find(model => model.name === name)?.label ?? name
  }

  async function refresh(): Promise<void> {
    const published = await $fetch<ModelConfiguration[]>('/api/ai/models')
    const live = published.filter(isLiveModel)
    if (live.length) models.value = live
  }

  const preferred = computed(() => resolve(preferredName.value))

  function prefer(name: string): void {
    preferredName.value = resolve(name).name
  }

  /** Takes the server's last used model (a turn on another device), once per visit. */
  async function syncPreferred(): Promise<void> {
    if (synced.value) return
    synced.value = true
    const me = await $fetch<CurrentUser>('/api/auth/me').catch(() => undefined)
    // An admin may have limited this user to some models: the picker offers only those.
    const allowed = me?.allowedModels
    if (allowed) {
      const live = models.value.filter(model => allowed.includes(model.name))
      if (live.length) models.value = live
    }
    if (me?.lastModel && models.value.some(model => model.name === me.lastModel)) preferredName.value = me.lastModel
  }

  return { models, preferred, prefer, resolve, labelOf, refresh, syncPreferred }
}
