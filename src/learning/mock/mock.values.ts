import { z } from 'zod';

/**
 * What a mock exam's buttons and cards carry back: the exam, the position of the question they
 * belong to (so a late click on an earlier question changes nothing), a single-answer button's
 * choice, for the flag button whether it flags or unflags, and for Skip that it skips.
 */
export const mockValueSchema = z.object({
  m: z.string().regex(/^[0-9a-f-]{36}$/i),
  p: z.number().int().min(0).max(999),
  c: z.array(z.number().int().min(0).max(31)).max(32).optional(),
  f: z.union([z.literal(0), z.literal(1)]).optional(),
  /** Skip (Keep in the review round), where a platform's buttons share one submit action (Teams). */
  s: z.literal(1).optional(),
});
export type MockValue = z.infer<typeof mockValueSchema>;
