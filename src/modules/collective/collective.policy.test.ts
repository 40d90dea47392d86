import { describe, expect, it } from "vitest";
import { can, canOnInstance, canResetPasswordOf } from "./collective.policy.ts";

const principal = (entries: [string, "owner" | "editor"][], extra: { admin?: boolean; userId?: string } = {}) => ({
  roles: new Map(entries),
  ...extra,
});

describe("collective policy", () => {
  it("lets owners and editors edit their collective's events, nobody else's", () => {
    expect(can(principal([["c1", "editor"]]), "edit-events", "c1")).toBe(true);
    expect(can(principal([["c1", "owner"]]), "edit-events", "c1")).toBe(true);
    expect(can(principal([["c1", "owner"]]), "edit-events", "c2")).toBe(false);
    expect(can(null, "edit-events", "c1")).toBe(false);
  });
  it("keeps members, settings, follower decisions, blocks and the audit log to owners", () => {
    for (const action of ["manage-members", "manage-settings", "decide-followers", "view-audit", "manage-blocks"] as const) {
      expect(can(principal([["c1", "editor"]]), action, "c1")).toBe(false);
      expect(can(principal([["c1", "owner"]]), action, "c1")).toBe(true);
      expect(can(principal([["c1", "owner"]]), action, "c2")).toBe(false);
    }
  });
  it("gives the instance admin no right inside a collective it is not a member of", () => {
    expect(can(principal([], { admin: true }), "edit-events", "c1")).toBe(false);
    expect(canOnInstance(principal([], { admin: true }), "create-collective")).toBe(true);
    expect(canOnInstance(principal([["c1", "owner"]]), "create-collective")).toBe(false);
    expect(canOnInstance(null, "create-collective")).toBe(false);
    expect(canOnInstance(principal([], { admin: true }), "manage-instance-blocks")).toBe(true);
    expect(canOnInstance(principal([["c1", "owner"]]), "manage-instance-blocks")).toBe(false);
  });
  it("lets an owner reset the password of an account only when it owns every collective of it", () => {
    const owner = principal([["a", "owner"], ["b", "editor"]], { userId: "u1" });
    const target = (roles: [string, "owner" | "editor"][], admin = false) => ({ userId: "u2", admin, roles: new Map(roles) });
    expect(canResetPasswordOf(owner, target([["a", "editor"]]))).toBe(true);
    expect(canResetPasswordOf(owner, target([["a", "editor"], ["b", "editor"]]))).toBe(false);
    expect(canResetPasswordOf(owner, target([["a", "editor"], ["c", "owner"]]))).toBe(false);
    expect(canResetPasswordOf(owner, target([["a", "editor"]], true))).toBe(false);
    expect(canResetPasswordOf(owner, target([]))).toBe(false);
    expect(canResetPasswordOf(owner, { userId: "u1", admin: false, roles: new Map([["a", "owner"]]) })).toBe(false);
  });
});
