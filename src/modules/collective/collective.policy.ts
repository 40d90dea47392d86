import type { MemberRole } from "../user/user.entity.ts";

export type CollectiveAction = "read-private" | "edit-events" | "manage-members";

/** Who may do what to a collective: one place, unit-tested, never an inline `if` in a route. */
export function can(principal: { roles: ReadonlyMap<string, MemberRole> } | null, action: CollectiveAction, collectiveId: string): boolean {
  const role = principal?.roles.get(collectiveId);
  if (!role) return false;
  switch (action) {
    case "read-private":
    case "edit-events":
      return role === "owner" || role === "editor";
    case "manage-members":
      return role === "owner";
  }
}
