import type { Learning } from '../../learning/learning.js';
import { paceFor } from '../../learning/study-position.js';
import { localDateOf } from '../schedule.js';
import type { TopicIndex } from '../topic-index.js';
import type { ExamPlan } from '../types.js';

/** A person's exam plan: their date, the pace it takes from where they stand, what is left untouched. */
export function createExamPlans(deps: { learning: Learning; topics: TopicIndex; defaultTimezone: string }) {
  const { learning } = deps;
  /** The person's own calendar date at `now` (their timezone, else the bot's default). */
  const todayOf = (now: Date, timezone: string | null | undefined): string =>
    localDateOf(now, timezone ?? deps.defaultTimezone);
  return {
    todayOf,

    /** The plan of someone with an exam date (undefined without one); `examDate` saves a read when known. */
    async planFor(
      userId: string,
      now: Date,
      timezone: string | null | undefined,
      examDate?: string | null,
    ): Promise<ExamPlan | undefined> {
      const date = examDate === undefined ? await learning.profiles.examDate(userId) : examDate;
      if (!date) return undefined;
      const [position, uncovered] = await Promise.all([
        learning.studyPosition(userId, now),
        learning.uncoveredTopics(userId),
      ]);
      return {
        date,
        pace: paceFor(position, todayOf(now, timezone), date),
        uncoveredTopics: uncovered.map((slug) => deps.topics.titleOf(slug)),
      };
    },
  };
}

export type ExamPlans = ReturnType<typeof createExamPlans>;
