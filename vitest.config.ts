import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { defineVitestProject } from '@nuxt/test-utils/config'

/** Nuxt's aliases for server code, so unit tests can import server modules without Nuxt. */
const serverAliases = {
  '#shared': fileURLToPath(new URL('./shared', import.meta.url)),
  '#server': fileURLToPath(new URL('./server', import.meta.url)),
}

// Projects: unit (plain Node), components (Nuxt runtime in happy-dom), api and api-postgres
// (the built server against the emulator, on PGlite and on PostgreSQL 15), e2e (Chromium).
// The server-backed projects share one server per project, so their files run one at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // PGlite takes seconds to boot, more on a loaded machine (in a test or in a beforeAll).
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
        resolve: { alias: serverAliases },
      },
      await defineVitestProject({
        test: {
          name: 'components',
          include: ['tests/components/**/*.test.ts'],
          environment: 'nuxt',
        },
      }),
      {
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          globalSetup: ['tests/support/setup-api-pglite.ts'],
          fileParallelism: false,
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'api-postgres',
          include: ['tests/api/**/*.test.ts'],
          globalSetup: ['tests/support/setup-api-postgres.ts'],
          fileParallelism: false,
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The Cloudflare Worker build in workerd (wrangler dev, offline) on PostgreSQL.
        test: {
          name: 'api-worker',
          include: ['tests/api/contract.test.ts', 'tests/api/persistence.test.ts', 'tests/api/ownership.test.ts', 'tests/api/smoke.test.ts', 'tests/api/stop.test.ts', 'tests/api/models.test.ts', 'tests/api/settings.test.ts', 'tests/api/limits.test.ts',
            'tests/api/keys.test.ts', 'tests/api/plain-text.test.ts', 'tests/api/openai.test.ts', 'tests/api/openapi.test.ts', 'tests/api/resume.test.ts',
            'tests/api/shares.test.ts', 'tests/api/search.test.ts',
            'tests/api/titles.test.ts', 'tests/api/pins.test.ts', 'tests/api/feedback.test.ts', 'tests/api/branches.test.ts'],
          globalSetup: ['tests/support/setup-api-worker.ts'],
          fileParallelism: false,
          testTimeout: 20_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Fault, fuzz and attack tests and multi-instance tests: each file starts the servers and
        // databases it needs.
        test: {
          name: 'system',
          include: ['tests/hardening/**/*.test.ts', 'tests/scale/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/setup-e2e.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
