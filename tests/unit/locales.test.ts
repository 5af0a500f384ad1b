// The guard of the translations: every language has every key, with the same placeholders; every
// API error text, every shortcut and every model the picker offers has its words; and the lint rules that keep literal text
// out of templates are switched on and hold for the whole UI.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../shared/contract/errors.ts'
import { LOCALES } from '../../shared/contract/locales.ts'
import { LIVE_MODELS } from '../../shared/contract/models.ts'
import { modelMessageKey } from '../../utils/model-messages.ts'
import { SHORTCUTS } from '../../utils/shortcuts.ts'
import { ROOT } from '../../harness/app-server.ts'

type Messages = { [key: string]: string | Messages }

const LOCALE_DIR = join(ROOT, 'i18n/locales')
const UI_DIRS = ['components', 'layouts', 'pages']

function messagesOf(code: string): Messages {
  return JSON.parse(readFileSync(join(LOCALE_DIR, `${code}.json`), 'utf8')) as Messages
}

/** Every key, dotted, with its text. */
function flatten(messages: Messages, prefix = ''): Map<string, string> {
  return new Map(Object.entries(messages).flatMap(([key, value]) => typeof value === 'string'
    ? [[`${prefix}${key}`, value] as const]
    : [...flatten(value, `${prefix}${key}.`)]))
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map(match => match[1]!).sort()
}

function vueFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? vueFiles(join(dir, entry.name))
    : entry.name.endsWith('.vue') ? [join(dir, entry.name)] : [])
}

const [reference, ...others] = LOCALES.map(locale => ({ code: locale.code, messages: flatten(messagesOf(locale.code)) }))

describe('locale files', () => {
  it('exist for every language the UI offers, and for no other', () => {
    const files = readdirSync(LOCALE_DIR).filter(name => name.endsWith('.json')).sort()
    expect(files).toEqual(LOCALES.map(locale => `${locale.code}.json`).sort())
  })

  it.each(others)('$code has exactly the keys of the reference language', ({ messages }) => {
    const missing = [...reference!.messages.keys()].filter(key => !messages.has(key))
    const extra = [...messages.keys()].filter(key => !reference!.messages.has(key))
    expect({ missing, extra }).toEqual({ missing: [], extra: [] })
  })

  it.each(others)('$code keeps every placeholder of every message', ({ messages }) => {
    const differing = [...reference!.messages].filter(([key, text]) =>
      messages.has(key) && placeholders(text).join() !== placeholders(messages.get(key)!).join())
    expect(differing.map(([key]) => key)).toEqual([])
  })

  it.each([reference!, ...others])('$code has no empty message', ({ messages }) => {
    expect([...messages].filter(([, text]) => !text.trim()).map(([key]) => key)).toEqual([])
  })

  it('translate every error text the API sends, by its key in ERRORS', () => {
    for (const { code, messages } of [reference!, ...others]) {
      const untranslated = Object.keys(ERRORS).filter(key => !messages.has(`errors.${key}`))
      expect(untranslated, code).toEqual([])
    }
  })

  it('say what every model the picker offers is for, and describe it', () => {
    for (const { code, messages } of [reference!, ...others]) {
      const keys = LIVE_MODELS.flatMap(model => [modelMessageKey('purposes', model.name), modelMessageKey('descriptions', model.name)])
      expect(keys.filter(key => !messages.has(key)), code).toEqual([])
      // And no words for a model that is gone from the catalogue.
      const known = new Set(keys)
      const stale = [...messages.keys()].filter(key => /^model\.(purposes|descriptions)\./.test(key) && !known.has(key))
      expect(stale, code).toEqual([])
    }
  })

  it('name every shortcut the help dialog lists, and every key it spells out', () => {
    for (const { code, messages } of [reference!, ...others]) {
      const actions = SHORTCUTS.map(shortcut => `shortcuts.actions.${shortcut.action}`)
      const keys = SHORTCUTS.flatMap(shortcut => shortcut.keys).filter(key => /^[a-z]{2,}$/.test(key) && key !== 'meta').map(key => `keys.${key}`)
      expect([...actions, ...keys].filter(key => !messages.has(key)), code).toEqual([])
    }
  })
})

describe('templates', () => {
  const eslint = new ESLint({ cwd: ROOT })

  it('fail the lint when they contain literal text or a key no locale has', async () => {
    const [result] = await eslint.lintText([
      '<script setup lang="ts">',
      'const { t } = useI18n()',
      '</script>',
      '',
      '<template>',
      '  <p :title="t(\'no.such.key\')">',
      '    Hello there',
      '    <UButton label="Save" />',
      '  </p>',
      '</template>',
      '',
    ].join('\n'), { filePath: join(ROOT, 'components/LintFixture.vue') })
    const rules = result!.messages.map(message => message.ruleId)
    expect(rules).toEqual(expect.arrayContaining(['@intlify/vue-i18n/no-raw-text', '@intlify/vue-i18n/no-missing-keys']))
    expect(rules.filter(rule => rule === '@intlify/vue-i18n/no-raw-text')).toHaveLength(2)
  })

  it('of the whole UI pass those rules', async () => {
    const files = UI_DIRS.flatMap(dir => vueFiles(join(ROOT, dir))).concat(['app.vue', 'error.vue'].map(file => join(ROOT, file)))
    expect(files.every(existsSync)).toBe(true)
    const results = await eslint.lintFiles(files)
    const problems = results.flatMap(result => result.messages
      .filter(message => message.ruleId?.startsWith('@intlify/'))
      .map(message => `${relative(ROOT, result.filePath)}:${message.line} ${message.message}`))
    expect(problems).toEqual([])
  })

  it('bind no literal words to an attribute a person reads, alone or inside an expression (cases the lint rule does not see)', () => {
    const readable = /\s:(?:label|title|description|placeholder|text|hint|aria-label|caption)="([^"]*)"/gu
    // What is left of the expression once the message keys handed to t() are taken out.
    const keys = /\$?t\(\s*'[^']*'/g
    const literal = /'[^']*\p{L}[^']*'|`[^`]*\p{L}[^`]*`/u
    const offending = UI_DIRS.flatMap(dir => vueFiles(join(ROOT, dir))).flatMap((file) => {
      const source = readFileSync(file, 'utf8')
      return [...source.matchAll(readable)]
        .filter(match => literal.test(match[1]!.replace(keys, 't(')))
        .map(match => `${relative(ROOT, file)}:${source.slice(0, match.index).split('\n').length} ${match[0].trim()}`)
    })
    expect(offending).toEqual([])
  })
})
