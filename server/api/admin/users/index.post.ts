import { z } from 'zod'
import { credentialsSchema } from '#shared/contract'

const adminCreateUserSchema = credentialsSchema.extend({ admin: z.boolean().optional() })

/** POST /api/admin/users {email, password, admin?}: an account made by an admin, in any SIGNUP_MODE. */
export default defineEventHandler(async (event) => {
  const admin = await requireAdmin(event)
  const body = await readValidatedJson(event, adminCreateUserSchema)
  const user = await createAccountAsAdmin(body)
  await recordAdminAction(await useDb(), admin, 'user.create', user, { admin: body.admin === true })
  setResponseStatus(event, 201)
  return { user }
})
