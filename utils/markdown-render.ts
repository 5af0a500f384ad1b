import MarkdownIt from 'markdown-it'

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
  md.renderer.rules.fence = (tokens, idx) => {
    const token = tokens[idx]!
    const lang = escapeHtml(token.info.trim().split(/\s+/)[0] ?? '')
    return `<div class="md-code"><button type="button" class="md-code-copy" data-copy-code aria-label="Copy code">Copy</button>`
      + `<pre><code${lang ? ` class="language-${lang}"` : ''}>${escapeHtml(token.content)}</code></pre></div>\n`
  }

  md.renderer.rules.table_open = () => '<div class="md-table"><table>\n'
  md.renderer.rules.table_close = () => '</table></div>\n'
  return md
}

let instance: MarkdownIt | undefined

/**
 * Renders one markdown block to safe HTML. Exposed as an object so tests can spy on it and count
 * how many blocks are (re-)rendered while an answer streams.
 *
 * @example
 * markdownRenderer.render('**bold** <script>') // '<p><strong>bold</strong> &lt;script&gt;</p>\n'
 */
export const markdownRenderer = {
  render(source: string): string {
    instance ??= createMarkdown()
    return instance.render(source)
  },
}
