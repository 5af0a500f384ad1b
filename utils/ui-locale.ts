import { de, en } from '@nuxt/ui/locale'
import type { LocaleCode } from '#shared/contract/locales'

/** Nuxt UI's own words (a dialog's "Close" button…) in each language of shared/contract/locales.ts. */
export const UI_LOCALES: Record<LocaleCode, typeof en> = { en, de }
