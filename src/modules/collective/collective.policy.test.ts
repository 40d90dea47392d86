import { describe, expect, it } from "vitest";
import { can } from "./collective.policy.ts";

const principal = (entries: [string, "owner" | "editor"][]) => ({ roles: new Map(entries) });

describe("collective policy", () => {
  it("lets owners and editors edit their collective's events, nobody else's", () => {
    expect(can(principal([["c1", "editor"]]), "edit-events", "c1")).toBe(true);
    expect(can(principal([["c1", "owner"]]), "edit-events", "c1")).toBe(true);
    expect(can(principal([["c1", "owner"]]), "edit-events", "c2")).toBe(false);
    expect(can(null, "edit-events", "c1")).toBe(false);
  });
  it("keeps member management to owners", () => {
    expect(can(principal([["c1", "editor"]]), "manage-members", "c1")).toBe(false);
    expect(can(principal([["c1", "owner"]]), "manage-members", "c1")).toBe(true);
  });
});
