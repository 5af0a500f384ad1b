import { mountSuspended } from '@nuxt/test-utils/runtime'
import { defineComponent, h, type Component } from 'vue'
import { UApp } from '#components'

/**
 * Mounts `component` inside <UApp> (tooltips and toasts need its providers) and returns the
 * wrapper of the component itself, so `emitted()` and `find()` work as usual.
 */
export async function mountInApp(component: Component, props: Record<string, unknown>, options: { attachTo?: Element } = {}) {
  const app = await mountSuspended(defineComponent({
    setup: () => () => h(UApp, null, { default: () => h(component, props) }),
  }), options)
  return app.findComponent(component)
}
