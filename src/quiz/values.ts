import { z } from 'zod';

/**
 * What the bot's buttons and cards carry back when clicked, on every platform. These values travel
 * through the person's client, so each is parsed here, at the edge, before any use case sees it; the
 * limits are far above anything the bot sends and far below anything that could hurt.
 */
const postId = z.string().min(1).max(64);
const choice = z.array(z.number().int().min(0).max(31)).max(32);

/** A question of the day's button: the post, and for single-answer buttons the choice. */
export const dailyValueSchema = z.object({ p: postId, c: choice.optional() });
export type DailyValue = z.infer<typeof dailyValueSchema>;

/** A practice question's button: question, version, hand-out key, maybe the choice and the reminder flag. */
export const practiceValueSchema = z.object({
  q: z.string().min(1).max(100),
  v: z.number().int().min(1).max(1_000_000),
  k: z.string().min(1).max(64),
  c: choice.optional(),
  r: z.literal(1).optional(),
});
export type PracticeValue = z.infer<typeof practiceValueSchema>;

const count = z.number().int().min(0).max(1_000_000_000);

/**
 * An "I was sure" (s: 1) / "I guessed" (s: 0) button after an answer: the question it is about, and
 * what the feedback above it showed, so that feedback can be drawn again without the buttons once
 * tapped: the version (v), the choice (c), and how the answer counted (a: `d` a question of the day,
 * with its points, streak and total in p; `l` a late answer; `p` practice), and the answer's
 * instant in epoch milliseconds (t), so the tap marks that answer and not a later one to the same
 * question. Buttons sent before these were added carry q and s only, or no t.
 */
export const confidenceValueSchema = z.object({
  q: z.string().min(1).max(100),
  s: z.union([z.literal(0), z.literal(1)]),
  v: z.number().int().min(1).max(1_000_000).optional(),
  c: choice.optional(),
  a: z.enum(['d', 'l', 'p']).optional(),
  p: z.tuple([count, count, count]).optional(),
  // Up to the year 9999: as far as a JavaScript Date goes in practice.
  t: z.number().int().min(0).max(253_402_300_799_999).optional(),
});
export type ConfidenceValue = z.infer<typeof confidenceValueSchema>;
/** A "Report a problem" control: the question and the version the person was shown. */
export const reportValueSchema = z.object({
  q: z.string().min(1).max(100),
  v: z.number().int().min(1).max(1_000_000),
});
export type ReportValue = z.infer<typeof reportValueSchema>;

/** How often weak-topic reminders come, as the App Home buttons offer it. */
export const reminderChoiceSchema = z.enum(['daily', 'weekly', 'off']);

/** A topic slug, as the bank writes them. */
export const topicSlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** Parses a JSON text against a schema; undefined when it is not JSON or does not fit. */
export function parseJsonValue<T>(schema: z.ZodType<T>, text: unknown): T | undefined {
  if (typeof text !== 'string' || text.length > 4000) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
