import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { slackInstallations } from '../../db/schema.js';

/** Slack workspaces that installed the app through OAuth, kept in the bot's own database. */
export function createInstallationStore(db: Database): InstallationStore & {
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
        installation: installation as unknown as Record<string, unknown>,
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
      return row.installation as unknown as Installation;
    },

    async deleteInstallation(query: InstallationQuery<boolean>) {
      await db.delete(slackInstallations).where(eq(slackInstallations.id, keyOf(query)));
    },

    async deleteByTeam(teamId: string) {
      await db.delete(slackInstallations).where(eq(slackInstallations.id, teamId));
    },
  };
}
