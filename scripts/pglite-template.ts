// `node scripts/pglite-template.ts <folder>`, run by `nuxt build` (nuxt.config.ts): the embedded
// database's data folder as a new one starts, after initdb and every migration. PGliteThread.open
// copies it into a new data folder (well under 0.1 s) instead of running initdb (4 to 5 s of
// WebAssembly on a 2-core machine) and the migrations.
import { readFile, rm } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { applyMigrations } from '../server/db/migrate.ts'
import { POSTGRESQL_CONF } from '../server/db/pglite-thread.ts'

const [folder] = process.argv.slice(2)
if (!folder) throw new Error('usage: node scripts/pglite-template.ts <folder>')
const migrations = new URL('../server/db/migrations/', import.meta.url)
await rm(folder, { recursive: true, force: true })
const pg = await PGlite.create(folder, { postgresqlconf: POSTGRESQL_CONF })
await applyMigrations(drizzle(pg), name => readFile(new URL(name, migrations), 'utf8'))
await pg.close()
console.log(`Wrote the PGlite template to ${folder}`)
