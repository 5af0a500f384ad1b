import { openApiDocument } from '#server/openapi/document'

/** GET /api/openapi.json: the OpenAPI 3.1 document of the API, generated from the contract. */
export default defineEventHandler(() => openApiDocument())
