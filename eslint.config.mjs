// @ts-check
import { fileURLToPath } from 'node:url'
import { createNodeResolver } from 'eslint-plugin-import-x'
import withNuxt from './.nuxt/eslint.config.mjs'

/** @param {string} path */
const here = path => fileURLToPath(new URL(path, import.meta.url))

/** Only tests import from tests/: what tests and benchmarks share lives in harness/ and emulator/. */
const notFromTests = { group: ['**/tests/**'], message: 'Only tests import from tests/. Shared test and benchmark code belongs in harness/ (or emulator/).' }

export default withNuxt(
  { ignores: ['.output/**', '.output-worker/**', '.data/**', 'tests/artifacts/**', 'bench/results*.json'] },
  {
    rules: {
      // An empty catch is how this code base says "a failure here changes nothing".
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['server/**', 'shared/**', 'emulator/**', 'harness/**', 'bench/**', 'modules/**', 'scripts/**', 'nuxt.config.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notFromTests] }],
    },
  },
  {
    // The browser never loads zod: the client takes values from the contract's zod-free modules.
    files: ['pages/**', 'components/**', 'composables/**', 'layouts/**', 'middleware/**', 'utils/**', 'workers/**', 'app.vue', 'error.vue', 'app.config.ts'],
    rules: {
      'no-alert': 'error',
      'no-restricted-imports': ['error', {
        paths: [
          { name: '#shared/contract', allowTypeImports: true, message: 'The barrel pulls in zod: import values from #shared/contract/<module> (limits, errors, models, titles) instead.' },
          { name: 'zod', allowTypeImports: true, message: 'zod stays out of the client bundle.' },
        ],
        patterns: [{ group: ['**/contract/schemas*'], allowTypeImports: true, message: 'The zod schemas stay out of the client bundle.' }, notFromTests],
      }],
    },
  },
  {
    // No module of the server imports its own importer, directly or through others.
    files: ['server/**/*.ts'],
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/resolver-next': [createNodeResolver({
        extensions: ['.ts', '.mjs', '.js', '.json'],
        alias: { '#shared': [here('./shared')], '#server': [here('./server')] },
      })],
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
)
