import type { ConversationReference } from 'botbuilder';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { processedEvents, teamsConversations } from '../../db/schema.js';

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

    /**
     * Erases what Teams told the bot about a person: their 1:1 chats with the bot (reference, name,
     * AAD object id) and the delivery keys of those chats; in shared conversations, the copy of the
     * person who spoke last is dropped from the stored reference (posting there does not need it).
     */
    async forgetPerson(ids: string[]): Promise<void> {
      const wanted = ids.filter(Boolean);
      if (wanted.length === 0) return;
      const isThem = (ref: typeof teamsConversations.reference) =>
        or(inArray(sql`${ref}->'user'->>'id'`, wanted), inArray(sql`${ref}->'user'->>'aadObjectId'`, wanted));
      await db.transaction(async (tx) => {
        const personal = await tx
          .select({ id: teamsConversations.conversationId })
          .from(teamsConversations)
          .where(and(eq(teamsConversations.kind, 'personal'), isThem(teamsConversations.reference)));
        for (const { id } of personal) {
          await tx
            .delete(processedEvents)
            .where(
              or(
                sql`starts_with(${processedEvents.key}, ${`teams:${id}:`})`,
                eq(processedEvents.key, `teams-greeting:${id}`),
              ),
            );
          await tx.delete(teamsConversations).where(eq(teamsConversations.conversationId, id));
        }
        await tx
          .update(teamsConversations)
          .set({ reference: sql`${teamsConversations.reference} - 'user'` })
          .where(isThem(teamsConversations.reference));
      });
    },
  };
}
