// npm run db:migrate: applies the migrations for deployments that migrate apart from start-up.
import { readFile } from 'node:fs/promises'
import { connectDatabase } from '../server/db/connect.ts'

const folder = new URL('../server/db/migrations/', import.meta.url)
const connection = await connectDatabase(process.env.DATABASE_URL, {
  poolMax: 1,
  readMigration: name => readFile(new URL(name, folder), 'utf8'),
})
console.log(`Migrated the ${connection.kind} database.`)
await connection.close()
