/** Folds case, spacing and punctuation, so "What is RAG?" and "what is  RAG" count as the same. */
export function normalise(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
