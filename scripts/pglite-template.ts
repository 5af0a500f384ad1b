// `node scripts/pglite-template.ts <file>`, run by `nuxt build` (nuxt.config.ts): the embedded
// database as a new data folder starts, after initdb and every migration, packed with PGlite's
// dumpDataDir. PGliteThread.open unpacks it into a new folder (about 1 s) instead of running
// initdb (4 to 5 s of WebAssembly on a 2-core machine) and the migrations.
import { readFile, writeFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { applyMigrations } from '../server/db/migrate.ts'
import { POSTGRESQL_CONF } from '../server/db/pglite-thread.ts'

const [file] = process.argv.slice(2)
if (!file) throw new Error('usage: node scripts/pglite-template.ts <file>')
const folder = new URL('../server/db/migrations/', import.meta.url)
const pg = await PGlite.create({ postgresqlconf: POSTGRESQL_CONF })
await applyMigrations(drizzle(pg), name => readFile(new URL(name, folder), 'utf8'))
const dump = await pg.dumpDataDir('gzip')
await writeFile(file, Buffer.from(await dump.arrayBuffer()))
await pg.close()
console.log(`Wrote the PGlite template (${(dump.size / 1024 / 1024).toFixed(1)} MiB) to ${file}`)
