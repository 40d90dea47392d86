import type { MemberRole } from "../user/user.entity.ts";

export type CollectiveAction =
  | "read-private"
  | "edit-events"
  | "edit-calls"
  | "edit-presskits"
  | "sign-calls"
  | "manage-members"
  | "manage-settings"
  | "decide-followers"
  | "view-audit"
  | "manage-blocks";

type Subject = { roles: ReadonlyMap<string, MemberRole>; admin?: boolean | undefined } | null;

/**
 * Who may do what to a collective: one place, unit-tested, never an inline `if` in a route. Owners do
 * everything; editors publish (events now; calls and kits later). Being instance admin gives no right
 * inside a collective: an admin who is not a member of it is a stranger to it.
 */
export function can(principal: Subject, action: CollectiveAction, collectiveId: string): boolean {
  const role = principal?.roles.get(collectiveId);
  if (!role) return false;
  switch (action) {
    case "read-private":
    case "edit-events":
    case "edit-calls":
    case "edit-presskits":
    case "sign-calls":
      return role === "owner" || role === "editor";
    case "manage-members":
    case "manage-settings":
    case "decide-followers":
    case "view-audit":
    case "manage-blocks":
      return role === "owner";
  }
}

export type InstanceAction = "create-collective" | "manage-instance-blocks";

/** What only the instance admin may do. */
export function canOnInstance(principal: Subject, action: InstanceAction): boolean {
  switch (action) {
    case "create-collective":
    case "manage-instance-blocks":
      return principal?.admin === true;
  }
}

/**
 * Whether `principal` may hand out a password-reset link for an account with `targetRoles`: only an
 * owner of every collective the account belongs to (an owner of A must not take over an account that
 * also holds B), never for an instance admin (reset by the operator, from the CLI) nor for oneself.
 */
export function canResetPasswordOf(
  principal: Subject & { userId?: string },
  target: { userId: string; admin: boolean; roles: ReadonlyMap<string, MemberRole> },
): boolean {
  if (!principal || target.admin || target.roles.size === 0 || principal.userId === target.userId) return false;
  return [...target.roles.keys()].every((id) => principal.roles.get(id) === "owner");
}
