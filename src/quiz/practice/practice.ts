import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { UUID } from '../daily/answer-recorder.js';
import type { KnownPeople } from '../people/known-people.js';
import type { ProgressRepository } from '../progress/progress.repository.js';
import { type Choice, isCorrect, markChoice, type Question, validateChoice } from '../question.js';
import type { QuestionPool } from '../questions/question-pool.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import type { TopicIndex } from '../topic-index.js';
import type { Actor, PracticeQuestion, PracticeResult, ReminderContent } from '../types.js';
import { topicFigures, weakestTopics } from '../weak-topics.js';
import type { HandoutsRepository } from './handouts.repository.js';
import { practiceErrors } from './practice.errors.js';
import type { PracticeAnswersRepository } from './practice-answers.repository.js';

export interface PracticeDeps {
  handouts: HandoutsRepository;
  practiceAnswers: PracticeAnswersRepository;
  progress: ProgressRepository;
  people: KnownPeople;
  pool: QuestionPool;
  versions: QuestionVersions;
  topics: TopicIndex;
  clock: Clock;
  random: () => number;
}

/** Private practice questions, handed to one person each, and the weak-topic reminders built on them. */
export function createPractice(deps: PracticeDeps) {
  const { clock, topics } = deps;

  /**
   * Hands out a practice question: on the topic; else on the person's weakest topic; else one they
   * have never answered; else any.
   */
  async function handOut(
    userId: string,
    { topic, kind }: { topic?: string | undefined; kind: 'practice' | 'reminder' },
  ): Promise<PracticeQuestion> {
    const rows = await deps.pool.get();
    const attempts = await deps.progress.attempts(userId);
    const seen = new Set(attempts.map((a) => a.questionId));
    let reason: PracticeQuestion['reason'] = topic ? 'topic' : 'unseen';
    let candidates = topic ? rows.filter((q) => q.topic === topic) : rows;
    if (!topic) {
      const [weakest] = weakestTopics(topicFigures(attempts, clock.now()));
      if (weakest) {
        candidates = rows.filter((q) => q.topic === weakest.topic);
        reason = 'weak-topic';
      }
    }
    const unseen = candidates.filter((q) => !seen.has(q.id));
    if (unseen.length > 0) candidates = unseen;
    else if (reason === 'unseen') reason = 'review';
    const picked = candidates[Math.floor(deps.random() * candidates.length)];
    if (!picked) throw practiceErrors.noQuestions();
    const question = await deps.versions.get({ questionId: picked.id, questionVersion: picked.version });
    const issueKey = randomUUID();
    await deps.handouts.insert({
      issueKey,
      userId,
      questionId: question.id,
      questionVersion: question.version,
      kind,
      handedAt: clock.now(),
    });
    return { issueKey, question, reason, topicTitle: topics.titleOf(question.topic) };
  }

  return {
    /** A practice question as it was handed out (its version), to read a submitted answer against. */
    practiceQuestion(questionId: string, version: number): Promise<Question | undefined> {
      return deps.versions.find({ questionId, questionVersion: version });
    },

    /** A private practice question for this person; see handOut for which one. */
    async practice(actor: Actor, topic?: string): Promise<PracticeQuestion> {
      if (topic !== undefined && !topics.has(topic))
        throw practiceErrors.unknownTopic(topic, topics.closeTo(topic));
      const user = await deps.people.userOf(actor);
      return handOut(user.id, { topic, kind: 'practice' });
    },

    async answerPractice(
      actor: Actor,
      input: { questionId: string; version: number; issueKey: string; choice: unknown },
    ): Promise<PracticeResult> {
      // The hand-out, not the card, says whose question this is and which version was shown: a card's
      // values come back through the person's client and can be changed there.
      const handout = UUID.test(input.issueKey) ? await deps.handouts.find(input.issueKey) : undefined;
      const user = handout && (await deps.people.knownUserOf(actor));
      if (
        !handout ||
        !user ||
        handout.userId !== user.id ||
        handout.questionId !== input.questionId ||
        handout.questionVersion !== input.version
      )
        throw practiceErrors.notYours({ issueKey: input.issueKey.slice(0, 64), known: Boolean(handout) });
      const question = await deps.versions.find(handout);
      if (!question) throw practiceErrors.unknownQuestion();
      const choice = validateChoice(question, input.choice);
      const correct = isCorrect(question, choice);
      const row = await deps.practiceAnswers.insertPracticeAnswer({
        userId: user.id,
        questionId: question.id,
        questionVersion: question.version,
        kind: handout.kind,
        issueKey: input.issueKey,
        choice,
        correct,
        answeredAt: clock.now(),
      });
      if (row)
        return { outcome: 'recorded', question, choice, correct, rightParts: markChoice(question, choice) };
      const first = await deps.practiceAnswers.findPracticeAnswer(user.id, input.issueKey);
      const firstChoice = (first?.choice as Choice) ?? choice;
      return {
        outcome: 'already_answered',
        question,
        choice: firstChoice,
        correct: first?.correct ?? correct,
        rightParts: markChoice(question, firstChoice),
      };
    },

    /** A weak-topic reminder for one person, or undefined when no topic is weak yet. */
    async reminderFor(userId: string): Promise<ReminderContent | undefined> {
      const [weakest] = weakestTopics(topicFigures(await deps.progress.attempts(userId), clock.now()));
      if (!weakest) return undefined;
      const practice = await handOut(userId, { topic: weakest.topic, kind: 'reminder' });
      return {
        userId,
        topic: { ...weakest, title: topics.titleOf(weakest.topic) },
        practice: { ...practice, reason: 'weak-topic' },
      };
    },
  };
}
