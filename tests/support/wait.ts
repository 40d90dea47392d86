/** Polls `probe` every 100 ms until it gives a value (not undefined or false), or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until a message queue has had nothing ready or being handled for three polls in a row. */
export async function untilQueueIdle(queue: { counts(): Promise<{ ready: number; active: number }> }): Promise<void> {
  let idle = 0;
  await until("an idle queue", async () => {
    const { ready, active } = await queue.counts();
    idle = ready === 0 && active === 0 ? idle + 1 : 0;
    return idle >= 3;
  });
}
