import { DOMAINS, domainTitle } from '../../bank/schema.js';
import type { Clock } from '../../clock.js';
import { isAppError } from '../../errors.js';
import type { Learning } from '../../learning/learning.js';
import { parseExamArgument, reminderCadence } from '../../learning/pacing.js';
import { paceFor } from '../../learning/study-position.js';
import { summariseTeamReadiness } from '../../learning/team-readiness.js';
import type { KnownPeople } from '../people/known-people.js';
import type { createPractice } from '../practice/practice.js';
import type {
  Actor,
  ConfidenceMark,
  ExamPlan,
  PracticeQuestion,
  ReminderCandidate,
  StudyStats,
  TeamReadiness,
} from '../types.js';
import type { ExamPlans } from './exam-plans.js';

export interface StudyDeps {
  people: KnownPeople;
  learning: Learning;
  examPlans: ExamPlans;
  practice: Pick<ReturnType<typeof createPractice>, 'handOutChosen'>;
  clock: Clock;
}

const daysAgo = (now: Date, then: Date) =>
  Math.max(0, Math.floor((now.getTime() - then.getTime()) / 86_400_000));
const whenText = (days: number) => (days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`);

/** The study coach: readiness, coverage and pace for `stats`, the exam date, mistake review, confidence. */
export function createStudy(deps: StudyDeps) {
  const { learning, clock, examPlans } = deps;

  return {
    /** Readiness, coverage, the last four weeks and the exam plan of one person. */
    async studyStats(userId: string, timezone: string | null): Promise<StudyStats> {
      const now = clock.now();
      await learning.writer.settled();
      const [readiness, position, trend, exam] = await Promise.all([
        learning.reviews.readiness(userId, now),
        learning.studyPosition(userId, now),
        learning.reviews.weeklyAccuracy(userId, now, 4),
        examPlans.planFor(userId, now, timezone),
      ]);
      return {
        readiness,
        coverage: {
          seen: position.seen,
          bankSize: position.bankSize,
          domains: position.domains
            .filter((d) => d.domain in DOMAINS)
            .map((d) => ({ ...d, title: domainTitle(d.domain) })),
          untouched: position.untouchedDomains.map((domain) => ({ domain, title: domainTitle(domain) })),
        },
        trend,
        ...(exam ? { exam } : {}),
      };
    },

    /**
     * `exam <YYYY-MM-DD>`, `exam off`, or `exam` alone to see it. The date is read in the person's
     * own calendar before anything is stored: a refused date changes nothing, not even a new record.
     */
    async exam(
      actor: Actor,
      input: string,
    ): Promise<{ kind: 'set'; plan: ExamPlan } | { kind: 'off' } | { kind: 'show'; plan?: ExamPlan }> {
      const now = clock.now();
      const known = await deps.people.knownUserOf(actor);
      if (input.trim() === '') {
        const plan = known && (await examPlans.planFor(known.id, now, known.timezone));
        return { kind: 'show', ...(plan ? { plan } : {}) };
      }
      const parsed = parseExamArgument(input, examPlans.todayOf(now, known?.timezone));
      const user = known ?? (await deps.people.userOf(actor));
      if (parsed.kind === 'off') {
        await learning.profiles.setExamDate(user.id, null, now);
        return { kind: 'off' };
      }
      await learning.profiles.setExamDate(user.id, parsed.date, now);
      await learning.writer.settled();
      const plan = await examPlans.planFor(user.id, now, user.timezone, parsed.date);
      if (!plan) throw new Error('an exam date just stored was not found');
      return { kind: 'set', plan };
    },

    /** A recent mistake to answer again, due ones first; undefined when there is none. */
    async review(actor: Actor): Promise<PracticeQuestion | undefined> {
      const user = await deps.people.knownUserOf(actor);
      if (!user) return undefined;
      const now = clock.now();
      await learning.writer.settled();
      // A question paused since (reported), or open as a question of the day in the person's
      // workspace, cannot be handed out: the next mistake is. When only open ones are left, saying
      // so beats "no mistakes", which would not be true.
      let held: unknown;
      for (const mistake of await learning.reviews.recentMistakes(user.id, now, { limit: 5 })) {
        const missed = `missed ${whenText(daysAgo(now, mistake.missedAt))}`;
        try {
          return await deps.practice.handOutChosen(user.id, {
            id: mistake.questionId,
            reason: 'mistake',
            why: mistake.due ? `due for review · ${missed}` : missed,
          });
        } catch (error) {
          if (isAppError(error) && error.code === 'quiz.practice_question_open') held = error;
          else if (!(isAppError(error) && error.code === 'quiz.no_practice_questions')) throw error;
        }
      }
      if (held) throw held;
      return undefined;
    },

    /**
     * "I was sure" / "I guessed" about the person's answer to a question given at `answeredAt`, or
     * without it their latest. The answer's review is written just after its commit: the writes of
     * this process are waited for, and one still on its way from another process comes back as
     * `pending`, marking nothing, so the tap can be repeated in a moment.
     */
    async markConfidence(
      actor: Actor,
      tap: { questionId: string; sure: boolean; answeredAt?: Date },
    ): Promise<ConfidenceMark> {
      const user = await deps.people.knownUserOf(actor);
      if (!user) return { kind: 'none' };
      await learning.writer.settled();
      return learning.markConfidence({ userId: user.id, ...tap });
    },

    /** How often this person's reminders come now: their choice, adapted to their exam's pace. */
    async reminderCadenceOf(person: ReminderCandidate, at: Date): Promise<'daily' | 'weekly' | 'none'> {
      if (!person.examDate) return person.reminders;
      const position = await learning.studyPosition(person.userId, at);
      return reminderCadence(
        person.reminders,
        paceFor(position, examPlans.todayOf(at, person.timezone), person.examDate),
      );
    },

    /** Median and count predicted to pass among people with enough answers; undefined below MIN_TEAM_FOR_READINESS. */
    async teamReadiness(userIds: string[], now: Date): Promise<TeamReadiness | undefined> {
      return summariseTeamReadiness((await learning.reviews.readinessOf(userIds, now)).values());
    },
  };
}

export type Study = ReturnType<typeof createStudy>;
