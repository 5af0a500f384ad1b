// @ts-check
import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  { ignores: ['.output/**', '.output-worker/**', '.data/**', 'tests/artifacts/**', 'bench/results*.json'] },
  {
    rules: {
      // An empty catch is how this code base says "a failure here changes nothing".
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The browser never loads zod: the client takes values from the contract's zod-free modules.
    files: ['pages/**', 'components/**', 'composables/**', 'layouts/**', 'middleware/**', 'utils/**', 'workers/**', 'app.vue', 'error.vue', 'app.config.ts'],
    rules: {
      'no-alert': 'error',
      'no-restricted-imports': ['error', {
        paths: [
          { name: '#shared/contract', allowTypeImports: true, message: 'The barrel pulls in zod: import values from #shared/contract/<module> (limits, errors, models) instead.' },
          { name: 'zod', allowTypeImports: true, message: 'zod stays out of the client bundle.' },
        ],
        patterns: [{ group: ['**/contract/schemas*'], allowTypeImports: true, message: 'The zod schemas stay out of the client bundle.' }],
      }],
    },
  },
)
