/**
 * The user's language choice wins over the browser's language (which the i18n module detects).
 * Runs before the i18n module's plugins, so the very first render, on the server too, is in the
 * chosen language.
 */
export default defineNuxtPlugin({
  name: 'locale-choice',
  enforce: 'pre',
  setup(nuxtApp) {
    const chosen = useLocaleChoice()
    nuxtApp.hook('i18n:beforeLocaleSwitch', (switching) => {
      if (switching.initialSetup && chosen.value) switching.newLocale = chosen.value
    })
  },
})
