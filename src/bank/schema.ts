import { z } from 'zod';

/** Text limits that keep every question renderable in Slack Block Kit and Teams Adaptive Cards. */
export const LIMITS = {
  stem: 700,
  optionText: 150,
  why: 300,
  explanation: 900,
  /** Ordering steps and matching answers appear as select-menu options (Slack caps those at 75). */
  selectText: 75,
  matchingPrompt: 150,
} as const;

/** The exam's domains and their weights in the AIF-C01 exam guide (percent of scored questions). */
export const DOMAINS = {
  1: { title: 'Fundamentals of AI and ML', weight: 20 },
  2: { title: 'Fundamentals of Generative AI', weight: 24 },
  3: { title: 'Applications of Foundation Models', weight: 28 },
  4: { title: 'Guidelines for Responsible AI', weight: 14 },
  5: { title: 'Security, Compliance, and Governance for AI Solutions', weight: 14 },
} as const;

export type ExamDomain = keyof typeof DOMAINS;
/** 0 is general AWS background, outside the exam's weighted domains. */
export type Domain = ExamDomain | 0;

export function domainTitle(domain: number): string {
  return domain === 0
    ? 'General AWS background'
    : (DOMAINS[domain as ExamDomain]?.title ?? `Domain ${domain}`);
}

/** Missing fields say "is required"; present but wrong ones say what they must be. */
const required = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const slug = z
  .string({ error: required('must be text') })
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'must be kebab-case (a-z, 0-9, -)' });
const text = (max: number) =>
  z
    .string({ error: required('must be text') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `is longer than ${max} characters` });

export const topicSchema = z.strictObject({
  slug,
  title: text(80),
  domain: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], {
    error: required('must be 1 to 5 (an exam domain) or 0 (general AWS background)'),
  }),
  description: text(200),
});

export const topicsFileSchema = z.strictObject({
  topics: z
    .array(z.unknown(), { error: 'must be a list of topics' })
    .min(1, { error: 'must list at least one topic' }),
});

export type Topic = z.infer<typeof topicSchema>;

const option = z.strictObject({
  text: text(LIMITS.optionText),
  correct: z.boolean({ error: 'must be true or false' }).default(false),
  why: text(LIMITS.why),
});

/** Objective ids as the exam guide numbers them: domain, task statement, objective ("3.1.4"). */
export const OBJECTIVE_ID = /^[1-5]\.\d{1,2}\.\d{1,2}$/;
const objectiveId = z
  .string({ error: required('must be an objective id such as "3.1.4"') })
  .regex(OBJECTIVE_ID, { error: 'must be an objective id such as "3.1.4"' });

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
const isoDate = z
  .string({ error: required('must be a date written YYYY-MM-DD') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD', abort: true })
  .refine(
    (value) => {
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
    },
    {
      error: 'is not a real date',
    },
  );

const base = {
  id: z.string({ error: required('must be text') }).regex(/^[a-z0-9]+(-[a-z0-9]+)*-\d{3}$/, {
    error: 'must be kebab-case ending in a three-digit number, such as rag-knowledge-bases-007',
  }),
  difficulty: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: required('must be 1, 2 or 3') }),
  source: z.string({ error: required('must be text') }).regex(/^(slides S\d{1,2} \d+-\d+|https:\/\/\S+)$/, {
    error: "must be 'slides S<section> <first line>-<last line>' or an https:// URL",
  }),
  status: z.enum(['active', 'retired'], { error: required('must be active or retired') }),
  facet: slug.optional(),
  /** What the question tests: one objective of the exam guide, or two when it truly spans both. */
  objective: z
    .union([objectiveId, z.array(objectiveId).min(1).max(2)], {
      error: 'must be an objective id such as "3.1.4", or a list of one or two',
    })
    .optional(),
  /** The day its facts were last checked against AWS documentation. */
  verified: isoDate.optional(),
  stem: text(LIMITS.stem),
  explanation: text(LIMITS.explanation),
};

const singleQuestion = z.strictObject({
  ...base,
  type: z.literal('single'),
  options: z.array(option).length(4, { error: 'a single-answer question has exactly 4 options' }),
});

const multipleQuestion = z.strictObject({
  ...base,
  type: z.literal('multiple'),
  options: z
    .array(option)
    .min(5, { error: 'a multiple-answer question has 5 or 6 options' })
    .max(6, { error: 'a multiple-answer question has 5 or 6 options' }),
});

const orderingQuestion = z.strictObject({
  ...base,
  type: z.literal('ordering'),
  steps: z
    .array(text(LIMITS.selectText))
    .min(3, { error: 'an ordering question has 3 to 5 steps' })
    .max(5, { error: 'an ordering question has 3 to 5 steps' }),
});

const matchingQuestion = z.strictObject({
  ...base,
  type: z.literal('matching'),
  pairs: z
    .array(z.strictObject({ prompt: text(LIMITS.matchingPrompt), answer: text(LIMITS.selectText) }))
    .min(3, { error: 'a matching question has 3 to 5 pairs' })
    .max(5, { error: 'a matching question has 3 to 5 pairs' }),
});

export const questionSchema = z.discriminatedUnion(
  'type',
  [singleQuestion, multipleQuestion, orderingQuestion, matchingQuestion],
  {
    error: 'type must be single, multiple, ordering or matching',
  },
);

export type QuestionSpec = z.infer<typeof questionSchema>;
export type SingleQuestion = z.infer<typeof singleQuestion>;
export type MultipleQuestion = z.infer<typeof multipleQuestion>;
export type OrderingQuestion = z.infer<typeof orderingQuestion>;
export type MatchingQuestion = z.infer<typeof matchingQuestion>;
export type QuestionOption = z.infer<typeof option>;

/** The objectives a question names, as a list (the file may give one id or a list). */
export function objectivesOf(question: { objective?: string | string[] | undefined }): string[] {
  const { objective } = question;
  return objective === undefined ? [] : Array.isArray(objective) ? objective : [objective];
}

/** A question as the rest of the bot sees it: the file's content plus where it lives. */
export type BankQuestion = QuestionSpec & { topic: string; domain: Domain; file: string };

export const topicFileSchema = z.strictObject({
  topic: slug,
  questions: z
    .array(z.unknown(), { error: 'must be a list of questions' })
    .min(1, { error: 'must hold at least one question' }),
});

const objectiveEntry = z.strictObject({
  id: objectiveId,
  text: text(200),
  covers: text(400).optional(),
});

const taskEntry = z.strictObject({
  id: z
    .string({ error: required('must be a task statement id such as "3.1"') })
    .regex(/^[1-5]\.\d{1,2}$/, { error: 'must be a task statement id such as "3.1"' }),
  title: text(120),
  objectives: z.array(objectiveEntry).min(1, { error: 'must list at least one objective' }),
});

const domainEntry = z.strictObject({
  id: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], {
    error: required('must be an exam domain, 1 to 5'),
  }),
  title: text(120),
  weight: z
    .number({ error: required('must be a percentage') })
    .int()
    .min(1)
    .max(100),
  url: z.string({ error: required('must be an https:// URL') }).regex(/^https:\/\/\S+$/, {
    error: 'must be an https:// URL',
  }),
  tasks: z.array(taskEntry).min(1, { error: 'must list at least one task statement' }),
});

/**
 * `questions/exam-guide.yaml`: the exam guide's domains, task statements and objectives, and the
 * switch that turns the coverage and freshness rules from advice into failures.
 */
export const examGuideSchema = z.strictObject({
  guide: z.strictObject({
    exam: text(20),
    version: text(20),
    url: z.string({ error: required('must be an https:// URL') }).regex(/^https:\/\/\S+$/, {
      error: 'must be an https:// URL',
    }),
    read: isoDate,
  }),
  enforce: z.boolean({ error: required('must be true or false') }),
  domains: z.array(domainEntry, { error: 'must be a list of domains' }).length(5, {
    error: 'must list the five exam domains',
  }),
});

export type ExamGuide = z.infer<typeof examGuideSchema>;
export interface GuideObjective {
  id: string;
  text: string;
  covers?: string | undefined;
  task: string;
  domain: ExamDomain;
}
