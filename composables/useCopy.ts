/**
 * Copies text and remembers for a moment that it did (for a "Copied" check mark).
 *
 * @example
 * const { copy, copied } = useCopy()
 * await copy(code)
 */
export function useCopy(resetAfterMs = 1500) {
  const copied = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined

  async function copy(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text)
    }
    catch {
      if (!copyWithSelection(text)) return false
    }
    copied.value = true
    clearTimeout(timer)
    timer = setTimeout(() => { copied.value = false }, resetAfterMs)
    return true
  }

  return { copy, copied }
}

/** Fallback for insecure origins (http on a LAN address), where navigator.clipboard is absent. */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  const ok = document.execCommand('copy')
  area.remove()
  return ok
}
