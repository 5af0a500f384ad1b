import MarkdownIt from 'markdown-it'

/** Words the rendered HTML carries, in the user's language (passed per render as markdown-it's env). */
export interface MarkdownLabels {
  /** A nested fence's copy button: its visible text and its accessible name. */
  copy: string
  copyCode: string
  /** The accessible name of a table's scrolling region. */
  table: string
}

/**
 * Model output is untrusted. markdown-it with `html: false` escapes every tag, and its default
 * `validateLink` drops `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs; images
 * are switched off so an answer cannot make the browser fetch a tracking or exfiltration URL.
 */
function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false })
  md.disable('image')
  const escapeHtml = md.utils.escapeHtml

  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!
    token.attrSet('target', '_blank')
    token.attrSet('rel', 'noopener noreferrer nofollow')
    return defaultLinkOpen(tokens, idx, options, env, self)
  }

  // Fences nested in lists or quotes stay inside the markdown HTML; they get a copy button that
  // ChatMarkdownBlock handles by event delegation (top-level fences become CodeBlock components).
  md.renderer.rules.fence = (tokens, idx, _options, env: MarkdownLabels) => {
    const token = tokens[idx]!
    const lang = escapeHtml(token.info.trim().split(/\s+/)[0] ?? '')
    return `<div class="md-code"><button type="button" class="md-code-copy" data-copy-code aria-label="${escapeHtml(env.copyCode)}">${escapeHtml(env.copy)}</button>`
      + `<pre tabindex="0"><code${lang ? ` class="language-${lang}"` : ''}>${escapeHtml(token.content)}</code></pre></div>\n`
  }

  // A wide table scrolls sideways: keyboard users reach the scroller, screen readers hear its name.
  md.renderer.rules.table_open = (_tokens, _idx, _options, env: MarkdownLabels) =>
    `<div class="md-table" role="region" tabindex="0" aria-label="${escapeHtml(env.table)}"><table>\n`
  md.renderer.rules.table_close = () => '</table></div>\n'

  // An answer's headings sit below the page's h1 and the message's h2 (screen readers navigate by
  // level); the class keeps the size the model meant.
  for (const rule of ['heading_open', 'heading_close'] as const) {
    md.renderer.rules[rule] = (tokens, idx, options, _env, self) => {
      const token = tokens[idx]!
      const level = Number(token.tag.slice(1))
      token.tag = `h${Math.min(level + 2, 6)}`
      if (rule === 'heading_open') token.attrJoin('class', `md-h${level}`)
      return self.renderToken(tokens, idx, options)
    }
  }
  return md
}

let instance: MarkdownIt | undefined

/**
 * Renders one markdown block to safe HTML. Exposed as an object so tests can spy on it and count
 * how many blocks are (re-)rendered while an answer streams.
 *
 * @example
 * markdownRenderer.render('**bold** <script>', labels) // '<p><strong>bold</strong> &lt;script&gt;</p>\n'
 */
export const markdownRenderer = {
  render(source: string, labels: MarkdownLabels): string {
    instance ??= createMarkdown()
    // markdown-it writes into env; each render gets its own copy.
    return instance.render(source, { ...labels })
  },
}
