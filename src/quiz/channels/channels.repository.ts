import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { channels, type Platform, workspaces } from '../../db/schema.js';

export type ChannelRow = typeof channels.$inferSelect;
/** A channel with the platform and workspace it lives in, in the platform's own ids. */
export type PlacedChannel = ChannelRow & { platform: Platform; workspaceExternalId: string };

/** Channels: created on first contact, subscribed, scheduled, deactivated when the bot leaves. */
export function createChannelsRepository(db: Database) {
  const placed = () =>
    db
      .select({
        channel: channels,
        platform: workspaces.platform,
        workspaceExternalId: workspaces.externalId,
      })
      .from(channels)
      .innerJoin(workspaces, eq(workspaces.id, channels.workspaceId));
  const flatten = (r: {
    channel: ChannelRow;
    platform: Platform;
    workspaceExternalId: string;
  }): PlacedChannel => ({
    ...r.channel,
    platform: r.platform,
    workspaceExternalId: r.workspaceExternalId,
  });

  return {
    /** Removes a person's name from the channels they subscribed, when there is no row of theirs to erase. */
    async forgetSubscriber(workspaceId: string, externalId: string): Promise<void> {
      await db
        .update(channels)
        .set({ subscribedBy: null })
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.subscribedBy, externalId)));
    },

    async ensureChannel(
      workspaceId: string,
      externalId: string,
      name: string | undefined,
      defaultTimezone: string,
    ): Promise<ChannelRow> {
      const [row] = await db
        .insert(channels)
        .values({ workspaceId, externalId, name, timezone: defaultTimezone })
        .onConflictDoUpdate({
          target: [channels.workspaceId, channels.externalId],
          set: { name: sql`coalesce(excluded.name, ${channels.name})` },
        })
        .returning();
      return row as ChannelRow;
    },

    async findChannel(workspaceId: string, externalId: string): Promise<ChannelRow | undefined> {
      const [row] = await db
        .select()
        .from(channels)
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.externalId, externalId)));
      return row;
    },

    async getChannel(id: string): Promise<ChannelRow | undefined> {
      const [row] = await db.select().from(channels).where(eq(channels.id, id));
      return row;
    },

    async updateChannel(
      id: string,
      patch: Partial<Omit<ChannelRow, 'id' | 'workspaceId' | 'externalId'>>,
    ): Promise<ChannelRow> {
      const [row] = await db.update(channels).set(patch).where(eq(channels.id, id)).returning();
      return row as ChannelRow;
    },

    /** A channel by the platform's ids, in one query; a read never creates one. */
    async findByPlace(
      platform: Platform,
      workspaceExternalId: string,
      externalId: string,
    ): Promise<ChannelRow | undefined> {
      const [row] = await placed().where(
        and(
          eq(workspaces.platform, platform),
          eq(workspaces.externalId, workspaceExternalId),
          eq(channels.externalId, externalId),
        ),
      );
      return row?.channel;
    },

    /** A channel with its platform and workspace ids. */
    async findPlaced(id: string): Promise<PlacedChannel | undefined> {
      const [row] = await placed().where(eq(channels.id, id));
      return row && flatten(row);
    },

    async activeChannels(): Promise<PlacedChannel[]> {
      return (await placed().where(eq(channels.active, true))).map(flatten);
    },

    /** Stops every channel of a workspace; returns nothing, history stays. */
    async deactivateWorkspace(workspaceId: string, now: Date): Promise<void> {
      await db
        .update(channels)
        .set({ active: false, updatedAt: now })
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.active, true)));
    },

    async channelIdsOfWorkspace(workspaceId: string): Promise<string[]> {
      const rows = await db
        .select({ id: channels.id })
        .from(channels)
        .where(eq(channels.workspaceId, workspaceId));
      return rows.map((r) => r.id);
    },
  };
}

export type ChannelsRepository = ReturnType<typeof createChannelsRepository>;
