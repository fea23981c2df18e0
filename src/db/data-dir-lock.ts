import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/** Lives beside PGlite's own files; PGlite does not look at it. */
export const LOCK_FILE = 'aif-quiz.lock';

export interface DataDirLock {
  /** Removes the lock file, if it is still this process's. Safe to call twice. */
  release(): void;
}

/**
 * Claims the embedded database folder for this process: one lock file, created exclusively (the
 * filesystem guarantees one winner) and holding the owner's PID. A lock whose process is gone (a
 * crash, `kill -9`, a power cut) is taken over at once.
 *
 * Written here rather than taken from a lock library: the common one (proper-lockfile) judges a
 * lock stale by the age of a timestamp it keeps refreshing, so a restart after a crash would wait
 * out that age, a long synchronous stretch of the embedded database (initdb) would count as a lost
 * lock, and it keeps no PID to name the owner in the message.
 *
 * @example const lock = lockDataDir('./.data'); … lock.release();
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  // The PID is written to a file of this process's own, then linked into place: link() fails when
  // the name exists, and the lock never appears without its PID for a rival to misread as stale.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, mine);
  try {
    return claim(file, draft, mine, dataDir);
  } finally {
    unlinkSync(draft);
  }
}

function claim(file: string, draft: string, mine: string, dataDir: string): DataDirLock {
  // Two rounds: the second follows the removal of a stale lock, which another process may race for.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(draft, file);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(file);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new AppError(
        'db.data_dir_in_use',
        `The embedded database in ${dataDir} is in use by process ${owner}; stop it or use another DATA_DIR.`,
      );
    }
    // The owner is gone (or it was this very PID in an earlier life, as in a restarted container).
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new AppError(
    'db.data_dir_in_use',
    `The embedded database in ${dataDir} is being opened by another process; stop it or use another DATA_DIR.`,
  );
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without touching it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is very much alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
