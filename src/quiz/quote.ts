/** The longest stretch of someone's own input the bot repeats back to them. */
const MAX_QUOTED = 40;

/**
 * What someone typed, in quotes, on one line and cut short: a reply that repeats a pasted
 * paragraph back in full buries the one sentence that says what to do.
 *
 * @example quoteInput('a very long line …') // '"a very long line…"'
 */
export function quoteInput(text: string, max = MAX_QUOTED): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  return `"${chars.length > max ? `${chars.slice(0, max).join('')}…` : oneLine}"`;
}
