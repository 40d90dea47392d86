import { describe, expect, it } from "vitest";
import { BlockRules } from "./block-rules.ts";

const lyon = "11111111-1111-4111-8111-111111111111";
const bxl = "22222222-2222-4222-8222-222222222222";
const rules = new BlockRules([
  { collectiveId: null, kind: "domain", target: "spam.example" },
  { collectiveId: null, kind: "actor", target: "https://social.example/users/troll" },
  { collectiveId: lyon, slug: "lyon", kind: "domain", target: "rival.example" },
  { collectiveId: lyon, kind: "actor", target: "https://social.example/users/pest" },
]);
const u = (s: string) => new URL(s);

describe("block rules", () => {
  it("apply instance-wide blocks to every collective, subdomains included", () => {
    for (const scope of [undefined, null, lyon, bxl]) {
      expect(rules.blocksHost("spam.example", scope)).toBe(true);
      expect(rules.blocksHost("events.spam.example", scope)).toBe(true);
      expect(rules.blocksActor(u("https://social.example/users/troll"), scope)).toBe(true);
      expect(rules.blocksActor(u("https://m.spam.example/users/x"), scope)).toBe(true);
    }
    expect(rules.blocksHost("notspam.example")).toBe(false);
  });

  it("know the collectives with blocks by their slug", () => {
    expect(rules.collectiveWithBlocks("lyon")).toBe(lyon);
    expect(rules.collectiveWithBlocks("bxl")).toBeUndefined();
  });

  it("apply a collective's blocks to that collective only", () => {
    expect(rules.blocksHost("rival.example", lyon)).toBe(true);
    expect(rules.blocksHost("www.rival.example", lyon)).toBe(true);
    expect(rules.blocksHost("rival.example", bxl)).toBe(false);
    expect(rules.blocksHost("rival.example")).toBe(false);
    expect(rules.blocksActor(u("https://social.example/users/pest"), lyon)).toBe(true);
    expect(rules.blocksActor(u("https://social.example/users/pest"), bxl)).toBe(false);
    expect(rules.blocksActor(u("https://social.example/users/pest2"), lyon)).toBe(false);
  });

  it("tie keys to their actor: at its URL (fragment) or under it", () => {
    expect(rules.blocksKey(u("https://social.example/users/troll#main-key"))).toBe(true);
    expect(rules.blocksKey(u("https://social.example/users/troll/key"))).toBe(true);
    expect(rules.blocksKey(u("https://social.example/users/trolling#main-key"))).toBe(false);
    expect(rules.blocksKey(u("https://social.example/users/pest#main-key"))).toBe(false);
    expect(rules.blocksKey(u("https://social.example/users/pest#main-key"), lyon)).toBe(true);
  });

  it("refuse fetches only for instance-wide blocks", () => {
    expect(rules.allowsFetch(u("https://cdn.spam.example/x.json"))).toBe(false);
    expect(rules.allowsFetch(u("https://social.example/users/troll"))).toBe(false);
    expect(rules.allowsFetch(u("https://social.example/users/alice"))).toBe(true);
    expect(rules.allowsFetch(u("https://rival.example/users/a"))).toBe(true);
    expect(BlockRules.none.allowsFetch(u("https://spam.example/"))).toBe(true);
  });
});
