import { and, eq } from 'drizzle-orm'
import type { LiveModel } from '#shared/contract'
import { agreeToModelLicence, type WorkersAiSettings } from '../workers-ai/index.ts'

/** Accounts and models known to be agreed, on this instance: the database is asked once each. */
const agreed = new Set<string>()

/**
 * Makes sure the Cloudflare account has accepted `model`'s licence before it is asked (Meta's
 * Llama 3.2 Vision must be sent the prompt `agree` once per account). Recorded in
 * `model_agreements`, so every instance sends it once per account, not once per turn.
 * Models without a licence to accept return at once.
 *
 * @example await ensureModelAgreement(settings, model)
 */
export async function ensureModelAgreement(settings: WorkersAiSettings, model: LiveModel): Promise<void> {
  if (!model.capabilities.vision?.agreement) return
  const account = settings.binding ? 'binding' : settings.accountId
  const key = `${account}\n${model.configuration.model}`
  if (agreed.has(key)) return
  const db = await useDb()
  const where = and(eq(tables.modelAgreements.account, account), eq(tables.modelAgreements.model, model.configuration.model))
  const [known] = await db.select({ model: tables.modelAgreements.model }).from(tables.modelAgreements).where(where)
  if (!known) {
    await agreeToModelLicence(settings, model.configuration.model)
    await db.insert(tables.modelAgreements).values({ account, model: model.configuration.model }).onConflictDoNothing()
  }
  agreed.add(key)
}
