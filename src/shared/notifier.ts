/**
 * Something happened that others may act on (outbox rows were committed): whoever writes calls
 * `notify`, whoever acts subscribes. Lets the composition root build the writers (services) before the
 * one that acts (the outbox relay, which needs the federation, which needs the services), without a
 * variable bound late.
 */
export class Notifier {
  readonly #listeners: (() => void)[] = [];

  /** Calls every listener; a listener that throws does not stop the others (nor the writer). */
  readonly notify = (): void => {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own: the writer already committed
      }
    }
  };

  subscribe(listener: () => void): void {
    this.#listeners.push(listener);
  }
}
