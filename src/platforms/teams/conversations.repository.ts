import type { ConversationReference } from 'botbuilder';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { teamsConversations } from '../../db/schema.js';

export type ConversationKind = 'personal' | 'channel' | 'groupChat';

/** Teams conversation references: where the bot may post proactively, kept from every incoming activity. */
export function createConversationsRepository(db: Database) {
  return {
    async remember(
      conversationId: string,
      kind: ConversationKind,
      reference: Partial<ConversationReference>,
    ): Promise<void> {
      const values = {
        conversationId,
        kind,
        reference: reference as Record<string, unknown>,
        active: true,
        updatedAt: new Date(),
      };
      await db
        .insert(teamsConversations)
        .values(values)
        .onConflictDoUpdate({ target: teamsConversations.conversationId, set: values });
    },

    async find(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
      const [row] = await db
        .select()
        .from(teamsConversations)
        .where(
          and(eq(teamsConversations.conversationId, conversationId), eq(teamsConversations.active, true)),
        );
      return row?.reference as Partial<ConversationReference> | undefined;
    },

    /** The personal (1:1) chat with a person, if the bot has one. */
    async findPersonal(userId: string): Promise<Partial<ConversationReference> | undefined> {
      const [row] = await db
        .select()
        .from(teamsConversations)
        .where(
          and(
            eq(teamsConversations.kind, 'personal'),
            eq(teamsConversations.active, true),
            sql`${teamsConversations.reference}->'user'->>'id' = ${userId}`,
          ),
        )
        .limit(1);
      return row?.reference as Partial<ConversationReference> | undefined;
    },

    /** Any conversation of a tenant: its service URL is where a new 1:1 chat is created. */
    async anyOfTenant(tenantId: string): Promise<Partial<ConversationReference> | undefined> {
      const [row] = await db
        .select()
        .from(teamsConversations)
        .where(sql`${teamsConversations.reference}->'conversation'->>'tenantId' = ${tenantId}`)
        .limit(1);
      return row?.reference as Partial<ConversationReference> | undefined;
    },

    async deactivate(conversationId: string): Promise<void> {
      await db
        .update(teamsConversations)
        .set({ active: false, updatedAt: new Date() })
        .where(eq(teamsConversations.conversationId, conversationId));
    },
  };
}
