import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { and, eq, isNull, ne, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { slackInstallations } from '../../db/schema.js';
import type { SecretBox } from '../../secret-box.js';

type InstallationRow = typeof slackInstallations.$inferSelect;

/**
 * Slack workspaces that installed the app through OAuth, kept in the bot's own database. With a
 * key, the whole installation (its tokens included) is stored encrypted, bound to its row id.
 */
export function createInstallationStore(
  db: Database,
  box: SecretBox,
): InstallationStore & {
  deleteByTeam(teamId: string): Promise<void>;
} {
  const keyOf = (query: {
    isEnterpriseInstall?: boolean;
    enterpriseId?: string | undefined;
    teamId?: string | undefined;
  }) =>
    query.isEnterpriseInstall && query.enterpriseId
      ? query.enterpriseId
      : (query.teamId ?? query.enterpriseId ?? '');

  return {
    async storeInstallation(installation: Installation) {
      const id = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      const values = {
        id,
        teamId: installation.team?.id ?? null,
        enterpriseId: installation.enterprise?.id ?? null,
        botUserId: installation.bot?.userId ?? null,
        ...storedForm(box, id, installation),
        updatedAt: new Date(),
      };
      await db
        .insert(slackInstallations)
        .values(values)
        .onConflictDoUpdate({ target: slackInstallations.id, set: values });
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      const [row] = await db
        .select()
        .from(slackInstallations)
        .where(eq(slackInstallations.id, keyOf(query)));
      if (!row) throw new Error(`no Slack installation for ${keyOf(query)}`);
      return readInstallation(box, row);
    },

    async deleteInstallation(query: InstallationQuery<boolean>) {
      await db.delete(slackInstallations).where(eq(slackInstallations.id, keyOf(query)));
    },

    async deleteByTeam(teamId: string) {
      await db.delete(slackInstallations).where(eq(slackInstallations.id, teamId));
    },
  };
}

function storedForm(box: SecretBox, id: string, installation: Installation) {
  if (!box.currentKeyId)
    return { installation: installation as unknown as Record<string, unknown>, sealed: null, keyId: null };
  const { sealed, keyId } = box.seal(JSON.stringify(installation), id);
  return { installation: null, sealed, keyId };
}

function readInstallation(box: SecretBox, row: InstallationRow): Installation {
  if (row.sealed && row.keyId)
    return JSON.parse(box.open({ keyId: row.keyId, sealed: row.sealed }, row.id)) as Installation;
  return row.installation as unknown as Installation;
}

/**
 * Encrypts every installation stored in clear or under an older key with the current key: run at
 * start-up, so setting ENCRYPTION_KEY (or rotating it) takes effect on rows already stored. Rows
 * sealed with a key the service no longer has are left as they are and counted.
 */
export async function resealInstallations(
  db: Database,
  box: SecretBox,
): Promise<{ resealed: number; unreadable: string[] }> {
  const current = box.currentKeyId;
  if (!current) return { resealed: 0, unreadable: [] };
  const stale = await db
    .select()
    .from(slackInstallations)
    .where(or(isNull(slackInstallations.keyId), ne(slackInstallations.keyId, current)));
  let resealed = 0;
  const unreadable: string[] = [];
  for (const row of stale) {
    if (row.keyId && !box.canOpen(row.keyId)) {
      unreadable.push(row.id);
      continue;
    }
    const installation = readInstallation(box, row);
    const { sealed, keyId } = box.seal(JSON.stringify(installation), row.id);
    // Only if nobody rewrote the row meanwhile (another process resealing, a new install).
    const updated = await db
      .update(slackInstallations)
      .set({ installation: null, sealed, keyId })
      .where(
        and(
          eq(slackInstallations.id, row.id),
          row.keyId ? eq(slackInstallations.keyId, row.keyId) : isNull(slackInstallations.keyId),
        ),
      )
      .returning({ id: slackInstallations.id });
    resealed += updated.length;
  }
  return { resealed, unreadable };
}
