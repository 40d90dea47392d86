import { describe, expect, it } from "vitest";
import { redact } from "./logging.ts";

describe("log redaction", () => {
  it("hides values under secret-looking keys at any depth and keeps the rest", () => {
    const out = redact({
      inbox: "https://a.example/inbox",
      privateKey: { kty: "RSA", d: "secret" },
      nested: { keys: [{ privateJwk: { d: "x" }, keyId: "k" }], authorization: "Bearer relais_abc", password: "hunter2" },
    }) as { inbox: string; privateKey: unknown; nested: { keys: Record<string, unknown>[]; authorization: unknown; password: unknown } };
    expect(out.inbox).toBe("https://a.example/inbox");
    expect(out.privateKey).toBe("[redacted]");
    expect(out.nested.keys[0]?.privateJwk).toBe("[redacted]");
    expect(out.nested.keys[0]?.keyId).toBe("k");
    expect(out.nested.authorization).toBe("[redacted]");
    expect(out.nested.password).toBe("[redacted]");
    expect(JSON.stringify(out)).not.toMatch(/secret|hunter2|relais_abc/);
  });
});
