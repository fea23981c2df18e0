/**
 * Whether ADMIN_USER_IDS names this person: an entry is a user id, valid in every workspace, or
 * `WORKSPACE:USER` (`T123:U456`, `tenant-id:29:1abc`), valid in that workspace or tenant only.
 * Teams ids hold colons themselves, so an entry is compared whole, never split.
 *
 * @example isListedAdmin(['T1:U9', 'U7'], 'T1', ['U9']) // true; in T2 only U7 would be
 */
export function isListedAdmin(
  entries: readonly string[],
  workspaceId: string,
  userIds: ReadonlyArray<string | undefined>,
): boolean {
  return userIds.some(
    (userId) =>
      Boolean(userId) && (entries.includes(userId as string) || entries.includes(`${workspaceId}:${userId}`)),
  );
}
