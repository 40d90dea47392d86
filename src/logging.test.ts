import type { LogRecord } from "@logtape/logtape";
import { describe, expect, it } from "vitest";
import { boundedSink, redact, redactingSink } from "./logging.ts";

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

describe("log sinks", () => {
  const record = (level: LogRecord["level"], properties: Record<string, unknown>, template: string[]): LogRecord => {
    const message: unknown[] = [];
    template.forEach((part, i) => {
      if (i > 0) message.push(properties[template[i - 1] as string]);
      message.push(part);
    });
    return { category: ["fedify"], level, message, rawMessage: "", timestamp: 0, properties };
  };
  const through = (sink: (inner: (r: LogRecord) => void) => (r: LogRecord) => void, r: LogRecord) => {
    const out: LogRecord[] = [];
    sink((x) => out.push(x))(r);
    return out[0] as LogRecord;
  };

  it("redacts secrets in the message as well as in the properties", () => {
    const r = through(redactingSink, { ...record("info", { password: "hunter2" }, ["password", "!"]), message: ["the password is ", "hunter2", "!"] });
    expect(JSON.stringify([r.message, r.properties])).not.toContain("hunter2");
  });

  it("leaves bodies out above debug level, cuts them at debug level, and survives any nesting", () => {
    const deep = JSON.parse(`${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    const big = { type: "Create", content: "x".repeat(50_000) };
    const error = through(boundedSink, { ...record("error", { activity: big, error: "boom" }, []), message: ["failed ", big, ": ", "boom"] });
    expect(error.properties.activity).toBe("[body left out above debug level]");
    expect(error.message[1]).toBe("[body left out above debug level]");
    const debug = through(boundedSink, record("debug", { activity: big, json: deep }, []));
    expect(String(debug.properties.activity).length).toBeLessThan(2_100);
    expect(debug.properties.json).toBe("[body too deeply nested to write]");
    const long = through(boundedSink, record("warning", { reason: "y".repeat(10_000) }, []));
    expect(long.properties.reason).toBe(`${"y".repeat(2_000)}… (8000 more characters)`);
  });
});
