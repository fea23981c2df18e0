import type { Clock } from '../../clock.js';
import type { Actor, Platform } from '../types.js';
import type { PeopleRepository, UserRow } from './people.repository.js';

const USER_CACHE_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * The bot's rows for the workspaces and people it meets. A burst of clicks comes from the same
 * people on the same post: remember who they are for a minute (refreshing "last active" at most
 * that often) instead of writing their row every click; a workspace's id is looked up once.
 */
export function createKnownPeople(options: { repository: PeopleRepository; clock: Clock }) {
  const { repository } = options;
  const workspaceIds = new Map<string, Promise<string>>();
  const users = new Map<string, { row: UserRow; until: number }>();

  /** A workspace's row id; the clicks of a first burst in a new workspace share one lookup. */
  function workspaceIdOf(platform: Platform, externalId: string): Promise<string> {
    const key = `${platform}:${externalId}`;
    let id = workspaceIds.get(key);
    if (!id) {
      id = repository.ensureWorkspace(platform, externalId).then((row) => row.id);
      workspaceIds.set(key, id);
      id.catch(() => workspaceIds.delete(key));
    }
    return id;
  }

  /** The people behind the actors, in order: remembered ones from memory, the rest in one write. */
  async function usersOf(actors: Actor[]): Promise<UserRow[]> {
    const keys = await Promise.all(
      actors.map(async (a) => `${await workspaceIdOf(a.platform, a.workspaceId)}:${a.userId}`),
    );
    const fresh = (a: Actor, key: string) => {
      const cached = users.get(key);
      return cached && cached.until > Date.now() && (!a.userName || cached.row.displayName === a.userName)
        ? cached.row
        : undefined;
    };
    const missing = actors.flatMap((a, i) =>
      fresh(a, keys[i] as string) ? [] : [{ a, key: keys[i] as string }],
    );
    if (missing.length > 0) {
      const rows = await repository.ensureUsers(
        missing.map(({ a, key }) => ({
          workspaceId: key.slice(0, key.indexOf(':')),
          externalId: a.userId,
          displayName: a.userName,
        })),
        options.clock.now(),
      );
      if (users.size > MAX_REMEMBERED) users.clear();
      for (const row of rows)
        users.set(`${row.workspaceId}:${row.externalId}`, { row, until: Date.now() + USER_CACHE_MS });
    }
    return keys.map((key) => users.get(key)?.row as UserRow);
  }

  return {
    workspaceIdOf,
    usersOf,

    /** The person's row, created on first contact. */
    async userOf(actor: Actor): Promise<UserRow> {
      return (await usersOf([actor]))[0] as UserRow;
    },

    /** The person's row if the bot already knows them; a read never creates one. */
    async knownUserOf(actor: Actor): Promise<UserRow | undefined> {
      const workspace = await repository.findWorkspace(actor.platform, actor.workspaceId);
      if (!workspace) return undefined;
      const cached = users.get(`${workspace.id}:${actor.userId}`);
      if (cached && cached.until > Date.now()) return cached.row;
      return repository.findUser(workspace.id, actor.userId);
    },

    /** Writes a person's settings and keeps the remembered copy in step. */
    async updateUser(id: string, patch: Parameters<PeopleRepository['updateUser']>[1]): Promise<UserRow> {
      const row = await repository.updateUser(id, patch);
      for (const [key, entry] of users) if (entry.row.id === id) users.set(key, { ...entry, row });
      return row;
    },

    /** Forgets the remembered row of a person who was erased. */
    forget(workspaceId: string, externalId: string): void {
      users.delete(`${workspaceId}:${externalId}`);
    },
  };
}

export type KnownPeople = ReturnType<typeof createKnownPeople>;
