/**
 * An answer as a screen reader should hear it in an announcement: the rendered text, without the
 * markdown syntax (no "##", no "**") and without button captions. Browser only.
 *
 * markdown-it comes with the answer's lazy chunk (ChatMessage.vue), so it is imported when needed.
 *
 * @example await markdownToText('## Hi\n\n**bold** `code`') // 'Hi bold code'
 */
export async function markdownToText(markdown: string): Promise<string> {
  const { markdownRenderer } = await import('./markdown-render')
  const html = markdownRenderer.render(markdown, { copy: '', copyCode: '', table: '' })
  const body = new DOMParser().parseFromString(html, 'text/html').body
  return (body.textContent ?? '').replace(/\s+/g, ' ').trim()
}
