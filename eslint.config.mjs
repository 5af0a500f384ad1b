// @ts-check
import { fileURLToPath } from 'node:url'
import vueI18n from '@intlify/eslint-plugin-vue-i18n'
import { createNodeResolver } from 'eslint-plugin-import-x'
import regexp from 'eslint-plugin-regexp'
import vueParser from 'vue-eslint-parser'
import * as jsoncParser from 'jsonc-eslint-parser'
import withNuxt from './.nuxt/eslint.config.mjs'

/** @param {string} path */
const here = path => fileURLToPath(new URL(path, import.meta.url))

/** Only tests import from tests/: what tests and benchmarks share lives in harness/ and emulator/. */
const notFromTests = { group: ['**/tests/**'], message: 'Only tests import from tests/. Shared test and benchmark code belongs in harness/ (or emulator/).' }

const CLIENT_FILES = ['pages/**', 'components/**', 'composables/**', 'layouts/**', 'middleware/**', 'plugins/**', 'utils/**', 'workers/**', 'app.vue', 'error.vue', 'app.config.ts']
// The plugin's rule types predate ESLint 9's (meta.fixable may be null); the rules work as they are.
const i18nPlugin = /** @type {import('eslint').ESLint.Plugin} */ (/** @type {unknown} */ (vueI18n))
const I18N_SETTINGS = { 'vue-i18n': { localeDir: './i18n/locales/*.json', messageSyntaxVersion: '^11.0.0' } }

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
    // Regular expressions run on user and model text (up to 32,000 characters a message) on the
    // server's one thread and in the tab: every one must run in linear time. These two rules
    // reject the shapes that backtrack polynomially (nested or adjacent overlapping quantifiers)
    // and the ones that rescan the input from every start position.
    files: ['server/**', 'shared/**', 'utils/**', 'components/**', 'composables/**', 'pages/**', 'layouts/**', 'middleware/**', 'workers/**', 'emulator/**', 'modules/**', 'app.vue', 'error.vue'],
    // The plugin's types lag ESLint 9's; the rules work as they are.
    plugins: { regexp: /** @type {import('eslint').ESLint.Plugin} */ (/** @type {unknown} */ (regexp)) },
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignorePartial: false }],
    },
  },
  {
    // The browser never loads zod: the client takes values from the contract's zod-free modules.
    files: CLIENT_FILES,
    rules: {
      'no-alert': 'error',
      'no-restricted-imports': ['error', {
        paths: [
          { name: '#shared/contract', allowTypeImports: true, message: 'The barrel pulls in zod: import values from #shared/contract/<module> (limits, errors, models, titles, locales) instead.' },
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
  {
    // Every word a user reads comes from i18n/locales: no literal text in a template (text, or an
    // attribute a person reads or hears), and no key that the locale files lack.
    files: CLIENT_FILES,
    plugins: { '@intlify/vue-i18n': i18nPlugin },
    settings: I18N_SETTINGS,
    rules: {
      '@intlify/vue-i18n/no-raw-text': ['error', {
        attributes: { '/.+/': ['label', 'title', 'description', 'placeholder', 'text', 'hint', 'help', 'alt', 'subtitle', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext'] },
        // Punctuation, symbols and numbers alone are not words.
        ignorePattern: '^[\\s\\p{P}\\p{S}\\p{N}]*$',
      }],
      '@intlify/vue-i18n/no-missing-keys': 'error',
      '@intlify/vue-i18n/no-deprecated-tc': 'error',
      '@intlify/vue-i18n/no-v-html': 'off',
    },
  },
  {
    // The locale files themselves: valid vue-i18n syntax, no HTML, and every key in every language.
    files: ['i18n/locales/*.json'],
    languageOptions: { parser: vueParser, parserOptions: { parser: jsoncParser } },
    plugins: { '@intlify/vue-i18n': i18nPlugin },
    settings: I18N_SETTINGS,
    rules: {
      '@intlify/vue-i18n/valid-message-syntax': 'error',
      '@intlify/vue-i18n/no-html-messages': 'error',
      '@intlify/vue-i18n/no-missing-keys-in-other-locales': 'error',
      '@intlify/vue-i18n/no-duplicate-keys-in-locale': 'error',
    },
  },
)
