/** /api itself has no route either: the same JSON 404 as any other unknown API path. */
export { default } from './[...]'
