import type { HealthStatus } from '#shared/contract'

/** GET /api/health, fetched once per visit; drives the demo banner. */
export function useHealth() {
  const health = useState<HealthStatus | null>('health', () => null)

  async function refresh(): Promise<void> {
    try {
      // A 503 still carries the status (database down), so read the body either way.
      health.value = await $fetch<HealthStatus>('/api/health', { ignoreResponseError: true })
    }
    catch {
      health.value = null
    }
  }

  const isEmulator = computed(() => health.value?.ai === 'emulator')
  return { health, isEmulator, refresh }
}
