import { DEFAULT_MODEL_NAME, MODELS, type ModelConfiguration } from '#shared/contract/models'

/**
 * The model catalogue from GET /api/ai/models and the model the user picked (kept in a cookie
 * so the server-rendered page already shows it).
 */
export function useModels() {
  const models = useState<ModelConfiguration[]>('models', () => [...MODELS])
  const selectedName = useCookie<string>('neptun-model', { default: () => DEFAULT_MODEL_NAME, sameSite: 'lax' })

  const selected = computed(() => models.value.find(model => model.name === selectedName.value)
    ?? models.value.find(model => model.name === DEFAULT_MODEL_NAME)
    ?? models.value[0]!)

  async function refresh(): Promise<void> {
    models.value = await $fetch<ModelConfiguration[]>('/api/ai/models')
  }

  function select(name: string): void {
    selectedName.value = name
  }

  return { models, selected, select, refresh }
}
