import { Writable } from 'node:stream';

/**
 * A place for a service's JSON log lines (`startTestService(env, { logs: stream })`) that keeps
 * them in memory, parsed, for assertions.
 */
export function captureLogs() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return {
    stream: sink as NodeJS.WritableStream,
    lines,
    /** Lines at warn level (40). */
    warnings: () => lines.filter((l) => l.level === 40),
    /** Lines at error level or above (50+). */
    errors: () => lines.filter((l) => l.level >= 50),
    clear() {
      lines.length = 0;
    },
  };
}
