import { DOMAINS, type ExamDomain } from '../../bank/schema.js';

/** A question a mock exam may draw, with how often this person's earlier mock exams drew it. */
export interface MockCandidate {
  id: string;
  version: number;
  domain: number;
  type: 'single' | 'multiple' | 'ordering' | 'matching';
  /** Times it appeared in this person's earlier mock exams. */
  uses: number;
}

/**
 * How many questions each exam domain gets: the exam's weights (20/24/28/14/14) by largest
 * remainder, then any a domain cannot fill moved to the domain furthest behind its share.
 */
export function domainQuotas(available: Map<number, number>, size: number): Map<number, number> {
  const domains = (Object.keys(DOMAINS).map(Number) as ExamDomain[]).filter(
    (d) => (available.get(d) ?? 0) > 0,
  );
  const totalWeight = domains.reduce((sum, d) => sum + DOMAINS[d].weight, 0);
  const share = (d: ExamDomain) => (size * DOMAINS[d].weight) / totalWeight;
  const quotas = new Map<number, number>(domains.map((d) => [d, Math.floor(share(d))]));
  const byRemainder = [...domains].sort((a, b) => (share(b) % 1) - (share(a) % 1));
  let left = size - [...quotas.values()].reduce((a, b) => a + b, 0);
  for (const d of byRemainder) {
    if (left <= 0) break;
    quotas.set(d, (quotas.get(d) ?? 0) + 1);
    left--;
  }
  // A domain with too few questions gives its surplus to the one most behind its share.
  let surplus = 0;
  for (const d of domains) {
    const over = (quotas.get(d) ?? 0) - (available.get(d) ?? 0);
    if (over > 0) {
      quotas.set(d, (quotas.get(d) ?? 0) - over);
      surplus += over;
    }
  }
  while (surplus > 0) {
    const open = domains.filter((d) => (quotas.get(d) ?? 0) < (available.get(d) ?? 0));
    const next = open.sort((a, b) => share(b) - (quotas.get(b) ?? 0) - (share(a) - (quotas.get(a) ?? 0)))[0];
    if (next === undefined) break;
    quotas.set(next, (quotas.get(next) ?? 0) + 1);
    surplus--;
  }
  return quotas;
}

/**
 * Draws a mock exam: each domain its quota, least-used questions first (so nothing repeats across a
 * person's mock exams until the bank has run out), every item type the candidates offer at least
 * once, in a shuffled order. Fewer than `size` only when the candidates are fewer.
 */
export function drawMockExam(
  candidates: MockCandidate[],
  size: number,
  random: () => number,
): MockCandidate[] {
  const exam = candidates.filter((c) => c.domain in DOMAINS);
  const keyed = new Map(exam.map((c) => [c.id, random()]));
  const order = (a: MockCandidate, b: MockCandidate) =>
    a.uses - b.uses || (keyed.get(a.id) ?? 0) - (keyed.get(b.id) ?? 0);
  const byDomain = new Map<number, MockCandidate[]>();
  for (const c of exam) byDomain.set(c.domain, [...(byDomain.get(c.domain) ?? []), c]);
  const quotas = domainQuotas(new Map([...byDomain].map(([d, list]) => [d, list.length])), size);
  const picked: MockCandidate[] = [];
  for (const [domain, quota] of quotas)
    picked.push(...(byDomain.get(domain) ?? []).sort(order).slice(0, quota));

  coverItemTypes(picked, exam, order);
  for (let i = picked.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [picked[i], picked[j]] = [picked[j] as MockCandidate, picked[i] as MockCandidate];
  }
  return picked;
}

/**
 * The real exam mixes item types; a weighted draw from a bank mostly of single-answer questions can
 * miss the rarer ones. Each missing type swaps in for a question of the same domain whose type is
 * drawn more than once, never for one this person has seen less often.
 */
function coverItemTypes(
  picked: MockCandidate[],
  pool: MockCandidate[],
  order: (a: MockCandidate, b: MockCandidate) => number,
): void {
  const types = [...new Set(pool.map((c) => c.type))];
  const count = (type: string) => picked.filter((p) => p.type === type).length;
  for (const type of types) {
    if (count(type) > 0) continue;
    const chosen = new Set(picked.map((p) => p.id));
    for (const candidate of pool.filter((c) => c.type === type && !chosen.has(c.id)).sort(order)) {
      const out = picked.findIndex(
        (p) => p.domain === candidate.domain && count(p.type) > 1 && p.uses >= candidate.uses,
      );
      if (out >= 0) {
        picked[out] = candidate;
        break;
      }
    }
  }
}
