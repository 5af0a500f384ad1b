/**
 * The contract of Neptun chat's API: limits, error texts, the model catalogue and the zod
 * schemas. Server, client and tests all import from here. Browser code takes values from the
 * zod-free modules (limits, errors, models, titles, usage) directly, so zod stays out of the client bundle.
 */
export * from './api.ts'
export * from './errors.ts'
export * from './limits.ts'
export * from './locales.ts'
export * from './models.ts'
export * from './openai.ts'
export * from './schemas.ts'
export * from './titles.ts'
export * from './usage.ts'
export * from './search.ts'
export * from './shares.ts'
export * from './feedback.ts'
export * from './branches.ts'
export * from './image-sniff.ts'
export * from './sign-in.ts'
export * from './sign-in-schemas.ts'
export * from './team.ts'
export * from './team-schemas.ts'
