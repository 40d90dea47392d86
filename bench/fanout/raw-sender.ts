// The floor of a fan-out: a loop that signs each POST with node:crypto (draft-cavage HTTP signature,
// RSA-SHA256, the key imported once) and sends the same bytes over keep-alive connections, at most
// `concurrency` at once and `perOrigin` connections per server. No queue, no JSON-LD, no retries.
// Run as a child process; the parent sends { inboxes, body, concurrency, perOrigin } and gets { ms }.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { Agent, request } from "node:http";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyId = "http://127.0.0.1/users/bench#main-key";
const now = () => performance.timeOrigin + performance.now();

async function fanOut(inboxes: readonly string[], body: string, concurrency: number, agent: Agent): Promise<void> {
  const bytes = Buffer.from(body);
  const digest = `SHA-256=${createHash("sha256").update(bytes).digest("base64")}`;
  const work = [...inboxes];
  const next = async (): Promise<void> => {
    for (let inbox = work.shift(); inbox !== undefined; inbox = work.shift()) {
      const url = new URL(inbox);
      const date = new Date().toUTCString();
      const signed = `(request-target): post ${url.pathname}\nhost: ${url.host}\ndate: ${date}\ndigest: ${digest}`;
      const signature = sign("sha256", Buffer.from(signed), privateKey).toString("base64");
      await new Promise<void>((resolve, reject) => {
        const req = request(
          url,
          {
            method: "POST",
            agent,
            headers: {
              "content-type": "application/activity+json",
              "content-length": bytes.length,
              date,
              digest,
              signature: `keyId="${keyId}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="${signature}"`,
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        );
        req.on("error", reject);
        req.end(bytes);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inboxes.length) }, next));
}

process.on("message", async (message: { inboxes: string[]; body: string; concurrency: number; perOrigin: number } | "exit") => {
  if (message === "exit") process.exit(0);
  const agent = new Agent({ keepAlive: true, maxSockets: message.perOrigin });
  const started = now();
  await fanOut(message.inboxes, message.body, message.concurrency, agent);
  process.send?.({ started, ended: now() });
  agent.destroy();
});
process.send?.({ ready: true });
