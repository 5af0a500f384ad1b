/**
 * The locale-file key of what the UI says about a catalogue model, in the user's language (the
 * catalogue itself speaks English, for the API): `model.purposes.qwq_32b`.
 */
export function modelMessageKey(field: 'purposes' | 'descriptions', name: string): string {
  return `model.${field}.${name.replace(/\W/g, '_')}`
}
