import { apiSetup } from './setup-api.ts'

export default apiSetup('postgres')
