/**
 * What every document says about itself, for app.vue and error.vue: its language (`<html lang>`,
 * by which screen readers pick their voice) and the title pattern.
 */
export function useDocumentHead() {
  const { localeProperties, t } = useI18n()
  useHead({
    htmlAttrs: { lang: () => localeProperties.value.language },
    titleTemplate: (title?: string) => (title ? `${title} · ${t('app.name')}` : t('app.name')),
  })
}
