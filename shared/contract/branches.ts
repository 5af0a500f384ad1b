import { z } from 'zod'

/**
 * The versions of a message: every message that follows the same one (an edited question, a
 * regenerated answer), oldest first. A UI shows ‹ index + 1 / count › and switches between them.
 */
export interface MessageSiblings {
  /** This message's place among them, from 0. */
  index: number
  count: number
  ids: number[]
}

export const messageSiblingsSchema = z.object({
  index: z.int().meta({ description: 'This message\'s place among its versions, from 0.' }),
  count: z.int(),
  ids: z.array(z.int()).meta({ description: 'Every version, oldest first (this message included).' }),
}).meta({ id: 'MessageSiblings', description: 'The versions of a message: the messages that follow the same one (edited questions, regenerated answers).' })
