import type { HighlighterCore } from 'shiki/core'

/**
 * Shiki as the highlight worker runs it (and the page itself where there are no workers): the
 * core, two themes and the JavaScript regex engine (no wasm, no CDN), loaded lazily. GitHub's
 * "default" themes: every token colour reaches 4.5:1 (WCAG AA) on the code block's background. Each
 * grammar is its own chunk, fetched the first time a block in that language appears.
 */
const LANGUAGES: Record<string, () => Promise<unknown>> = {
  typescript: () => import('@shikijs/langs/typescript'),
  javascript: () => import('@shikijs/langs/javascript'),
  tsx: () => import('@shikijs/langs/tsx'),
  jsx: () => import('@shikijs/langs/jsx'),
  python: () => import('@shikijs/langs/python'),
  shellscript: () => import('@shikijs/langs/shellscript'),
  json: () => import('@shikijs/langs/json'),
  html: () => import('@shikijs/langs/html'),
  css: () => import('@shikijs/langs/css'),
  vue: () => import('@shikijs/langs/vue'),
  sql: () => import('@shikijs/langs/sql'),
  go: () => import('@shikijs/langs/go'),
  rust: () => import('@shikijs/langs/rust'),
  java: () => import('@shikijs/langs/java'),
  c: () => import('@shikijs/langs/c'),
  yaml: () => import('@shikijs/langs/yaml'),
  markdown: () => import('@shikijs/langs/markdown'),
  diff: () => import('@shikijs/langs/diff'),
}

const ALIASES: Record<string, string> = {
  ts: 'typescript', js: 'javascript', mjs: 'javascript', cjs: 'javascript', py: 'python',
  sh: 'shellscript', bash: 'shellscript', shell: 'shellscript', zsh: 'shellscript', console: 'shellscript',
  yml: 'yaml', md: 'markdown', h: 'c', patch: 'diff', jsonc: 'json',
}

/** The grammar name for a fence info string, or null when it is not in the curated set. */
export function resolveLanguage(lang: string): string | null {
  const name = lang.toLowerCase()
  const resolved = ALIASES[name] ?? name
  return resolved in LANGUAGES ? resolved : null
}

let highlighter: Promise<HighlighterCore> | undefined
const loadedLanguages = new Map<string, Promise<void>>()

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= (async () => {
    const [{ createHighlighterCore }, { createJavaScriptRegexEngine }, light, dark] = await Promise.all([
      import('shiki/core'),
      import('shiki/engine/javascript'),
      import('@shikijs/themes/github-light-default'),
      import('@shikijs/themes/github-dark-default'),
    ])
    return createHighlighterCore({ themes: [light.default, dark.default], langs: [], engine: createJavaScriptRegexEngine() })
  })()
  return highlighter
}

/**
 * Highlights `code` as HTML with both themes as CSS variables (the dark one applies under `.dark`).
 * Resolves to null for languages outside the curated set; the caller then shows plain text.
 *
 * @example
 * await highlightHere('const a = 1', 'ts') // '<pre class="shiki …"><code>…</code></pre>'
 */
export async function highlightHere(code: string, lang: string): Promise<string | null> {
  const language = resolveLanguage(lang)
  if (!language) return null
  const core = await getHighlighter()
  let loading = loadedLanguages.get(language)
  if (!loading) {
    loading = LANGUAGES[language]!().then(module => core.loadLanguage((module as { default: Parameters<HighlighterCore['loadLanguage']>[0] }).default))
    loadedLanguages.set(language, loading)
  }
  await loading
  // Longer lines stay plain text: a grammar's patterns run on one line at a time, and minified
  // or hostile lines are where they backtrack.
  return core.codeToHtml(code, { lang: language, themes: { light: 'github-light-default', dark: 'github-dark-default' }, defaultColor: 'light', tokenizeMaxLineLength: 2000, tabindex: false })
}

/** Compiles the most common grammars ahead of the first answer that needs them. */
export async function warmHighlighter(): Promise<void> {
  await Promise.all(([['typescript', 'const a: number = 1'], ['python', 'def f(): pass'], ['shellscript', 'ls -la']] as const)
    .map(([lang, sample]) => highlightHere(sample, lang).catch(() => null)))
}
