import type { Bank } from './load.js';
import { DOMAINS, domainTitle } from './schema.js';

export const MIN_PER_TOPIC = 5;

export interface BankStats {
  active: number;
  retired: number;
  byDomain: Array<{ domain: number; title: string; count: number; share: number; weight: number | null }>;
  byTopic: Array<{ slug: string; title: string; domain: number; count: number }>;
  byType: Record<string, number>;
  byDifficulty: Record<string, number>;
  thinTopics: string[];
}

/** Counts the active questions of the bank against the exam's domain weights. */
export function computeStats(bank: Bank): BankStats {
  const active = bank.questions.filter((q) => q.status === 'active');
  const total = active.length || 1;
  const count = <K extends string | number>(key: (q: (typeof active)[number]) => K) => {
    const counts = new Map<K, number>();
    for (const q of active) counts.set(key(q), (counts.get(key(q)) ?? 0) + 1);
    return counts;
  };
  const domainCounts = count((q) => q.domain);
  const topicCounts = count((q) => q.topic);
  const byTopic = [...bank.topics.values()]
    .map((t) => ({ slug: t.slug, title: t.title, domain: t.domain, count: topicCounts.get(t.slug) ?? 0 }))
    .sort((a, b) => a.domain - b.domain || a.slug.localeCompare(b.slug));
  return {
    active: active.length,
    retired: bank.questions.length - active.length,
    byDomain: [1, 2, 3, 4, 5, 0].map((domain) => ({
      domain,
      title: domainTitle(domain),
      count: domainCounts.get(domain as never) ?? 0,
      share: ((domainCounts.get(domain as never) ?? 0) / total) * 100,
      weight: domain === 0 ? null : DOMAINS[domain as keyof typeof DOMAINS].weight,
    })),
    byTopic,
    byType: Object.fromEntries(
      ['single', 'multiple', 'ordering', 'matching'].map((t) => [
        t,
        count((q) => q.type).get(t as never) ?? 0,
      ]),
    ),
    byDifficulty: Object.fromEntries(
      [1, 2, 3].map((d) => [String(d), count((q) => q.difficulty).get(d as never) ?? 0]),
    ),
    thinTopics: byTopic.filter((t) => t.count < MIN_PER_TOPIC).map((t) => t.slug),
  };
}

/** The report `aif-quiz questions stats` prints. */
export function formatStats(stats: BankStats): string {
  const pct = (n: number) => `${n.toFixed(1).padStart(5)}%`;
  const share = (n: number) => pct((n / (stats.active || 1)) * 100);
  const lines = [
    `${stats.active} active questions (${stats.retired} retired)`,
    '',
    'By exam domain        count  share  exam weight',
  ];
  for (const d of stats.byDomain) {
    const label = d.domain === 0 ? 'Background (0)' : `Domain ${d.domain}`;
    lines.push(
      `  ${label.padEnd(18)} ${String(d.count).padStart(5)} ${pct(d.share)}  ${d.weight === null ? '   -' : pct(d.weight)}  ${d.title}`,
    );
  }
  lines.push('', 'By type');
  for (const [type, n] of Object.entries(stats.byType))
    lines.push(`  ${type.padEnd(18)} ${String(n).padStart(5)} ${share(n)}`);
  lines.push('', 'By difficulty');
  for (const [d, n] of Object.entries(stats.byDifficulty))
    lines.push(`  ${`level ${d}`.padEnd(18)} ${String(n).padStart(5)} ${share(n)}`);
  lines.push('', 'By topic');
  for (const t of stats.byTopic) {
    const flag = t.count < MIN_PER_TOPIC ? `  <- fewer than ${MIN_PER_TOPIC}` : '';
    lines.push(`  D${t.domain} ${t.slug.padEnd(34)} ${String(t.count).padStart(4)}${flag}`);
  }
  if (stats.thinTopics.length > 0) {
    lines.push('', `${stats.thinTopics.length} topic(s) have fewer than ${MIN_PER_TOPIC} active questions.`);
  }
  return lines.join('\n');
}
