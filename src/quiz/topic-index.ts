import type { Topic } from '../bank/schema.js';

/** The bank's topics by slug: their titles, and whether a typed name is one of them. */
export function createTopicIndex(topics: Topic[]) {
  const bySlug = new Map(topics.map((t) => [t.slug, t]));
  return {
    all: topics,
    has: (slug: string) => bySlug.has(slug),
    /** Slugs that contain what was typed or are contained in it, for a "did you mean". */
    closeTo: (typed: string, max = 3) =>
      [...bySlug.keys()].filter((slug) => slug.includes(typed) || typed.includes(slug)).slice(0, max),
    titleOf: (slug: string) => bySlug.get(slug)?.title ?? slug,
  };
}

export type TopicIndex = ReturnType<typeof createTopicIndex>;
