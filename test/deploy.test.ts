import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '../src/config/env-schema.js';
import { JOB_NAMES } from '../src/jobs/jobs.js';
import { ROOT } from './support/cli.js';

const MANIFESTS = path.join(ROOT, 'deploy', 'kubernetes');

/**
 * The names the config schema parses: a manifest that sets anything else sets a variable the
 * service never reads (a typo, or a setting that has since been renamed).
 */
function settingsTheConfigReads(): Set<string> {
  return new Set(Object.keys(envSchema.shape));
}

type Manifest = { file: string; kind: string; name: string; body: Record<string, unknown> };

function readManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of readdirSync(MANIFESTS).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(MANIFESTS, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const body = doc.toJS() as Record<string, unknown> | null;
      if (body === null) continue;
      const metadata = body.metadata as { name?: string } | undefined;
      manifests.push({ file, kind: String(body.kind), name: String(metadata?.name), body });
    }
  }
  return manifests;
}

type Container = {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
};
type PodSpec = { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };

function podSpecOf(m: Manifest): PodSpec | undefined {
  type Template = { template?: { spec?: PodSpec } };
  const spec = m.body.spec as (Template & { jobTemplate?: { spec?: Template } }) | undefined;
  if (m.kind === 'Deployment') return spec?.template?.spec;
  if (m.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return undefined;
}

function envOf(container: Container): Record<string, string | undefined> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
}

describe('the Kubernetes examples', () => {
  const known = settingsTheConfigReads();
  const manifests = readManifests();
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);

  it('reads the setting names from the config schema', () => {
    // Guards the text parse above: if it found nothing, every later check would pass vacuously.
    expect(known).toContain('DATABASE_URL');
    expect(known).toContain('SCHEDULER');
    expect(known.size).toBeGreaterThan(10);
  });

  it('include a Deployment, a Service, a Secret template and a CronJob for every scheduled job', () => {
    expect(byKind('Deployment').map((m) => m.name)).toEqual(['aif-quiz', 'aif-quiz-scheduler']);
    expect(byKind('Service')).toHaveLength(1);
    expect(byKind('Secret')).toHaveLength(1);
    expect(byKind('CronJob')).toHaveLength(JOB_NAMES.length);
  });

  it('set only environment variables the service reads', () => {
    const unknown: string[] = [];
    for (const m of manifests) {
      const names =
        m.kind === 'Secret'
          ? Object.keys({ ...(m.body.stringData as object), ...(m.body.data as object) })
          : (podSpecOf(m)?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.name));
      for (const name of names) if (!known.has(name)) unknown.push(`${m.file} ${m.kind}/${m.name}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  it('hold no real secret values in the Secret template', () => {
    const [secret] = byKind('Secret');
    const values = Object.entries((secret?.body.stringData ?? {}) as Record<string, string>);
    expect(secret?.body.data).toBeUndefined();
    for (const [name, value] of values) {
      if (name === 'DATABASE_URL') expect(value).toMatch(/USER:PASSWORD@HOST/);
      else if (name === 'MICROSOFT_APP_TYPE') expect(value).toBe('MultiTenant');
      else expect(value, name).toBe('');
    }
  });

  it('run the web replicas without the scheduler, non-root, with readiness on /readyz and liveness on /healthz', () => {
    const deployment = byKind('Deployment').find((m) => m.name === 'aif-quiz');
    const pod = podSpecOf(deployment as Manifest) as PodSpec & { terminationGracePeriodSeconds?: number };
    const [container] = pod.containers;
    expect(envOf(container as Container).SCHEDULER).toBe('off');
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(0);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    const server = readFileSync(path.join(ROOT, 'src', 'http', 'server.ts'), 'utf8');
    expect(server).toContain("app.get('/readyz'");
    expect(server).toContain("app.get('/healthz'");
  });

  it('give every replica time to drain before Kubernetes kills it: preStop pause plus SHUTDOWN_TIMEOUT_MS inside the grace period', () => {
    for (const deployment of byKind('Deployment')) {
      const pod = podSpecOf(deployment) as PodSpec & { terminationGracePeriodSeconds?: number };
      for (const container of pod.containers as Array<
        Container & { lifecycle?: { preStop?: { exec?: { command?: string[] } } } }
      >) {
        const [verb, seconds] = container.lifecycle?.preStop?.exec?.command ?? [];
        const pauseMs = verb === 'sleep' ? Number(seconds) * 1000 : 0;
        const shutdownMs = Number(envOf(container).SHUTDOWN_TIMEOUT_MS ?? 25_000);
        const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
        expect(pauseMs + shutdownMs, deployment.name).toBeLessThan(graceMs);
      }
    }
  });

  it('run the scheduler in exactly one replica when it runs inside the service', () => {
    const scheduler = byKind('Deployment').find((m) => m.name === 'aif-quiz-scheduler') as Manifest;
    const [container] = (podSpecOf(scheduler) as PodSpec).containers;
    expect(envOf(container as Container).SCHEDULER).toBe('on');
    expect((scheduler.body.spec as { replicas?: number }).replicas).toBe(1);
  });

  it('schedule each job through run-job with a job name the command line accepts', () => {
    const scheduled: string[] = [];
    for (const cronJob of byKind('CronJob')) {
      const pod = podSpecOf(cronJob) as PodSpec;
      expect(pod.securityContext?.runAsNonRoot, cronJob.name).toBe(true);
      for (const container of pod.containers) {
        const argv = [...(container.command ?? []), ...(container.args ?? [])];
        const at = argv.indexOf('run-job');
        expect(at, `${cronJob.name} calls run-job`).toBeGreaterThanOrEqual(0);
        const job = argv[at + 1] as string;
        expect(JOB_NAMES as readonly string[], `${cronJob.name} runs "${job}"`).toContain(job);
        expect(envOf(container).SCHEDULER, cronJob.name).toBe('off');
        scheduled.push(job);
      }
    }
    expect(scheduled.sort()).toEqual([...JOB_NAMES].sort());
  });
});
