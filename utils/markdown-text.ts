/**
 * An answer as a screen reader should hear it in an announcement: the rendered text, without the
 * markdown syntax (no "##", no "**") and without button captions. Browser only.
 *
 * @example markdownToText('## Hi\n\n**bold** `code`') // 'Hi bold code'
 */
export function markdownToText(markdown: string): string {
  const html = markdownRenderer.render(markdown, { copy: '', copyCode: '', table: '' })
  const body = new DOMParser().parseFromString(html, 'text/html').body
  return (body.textContent ?? '').replace(/\s+/g, ' ').trim()
}
