/** Placeholder: replaced by the real adapter (issue 18). */
export function fromLayersModel(): never {
  throw new Error('fromLayersModel: not implemented yet');
}
