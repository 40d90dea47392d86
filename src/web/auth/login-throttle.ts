import { getLogger } from "@logtape/logtape";
import { addressKey, type RateLimit, type RateVerdict } from "../rate-limits.ts";

const logger = getLogger(["relais", "web", "login"]);

/**
 * Login throttling without a lock-out a stranger can cause: wrong passwords are counted per client
 * address (30 per 15 minutes) and per account *and* address (5 per 15 minutes). An attacker guessing
 * an editor's password from their own address gets slowed down there; the editor, from any other
 * address, still logs in. A right password clears its account-and-address count. Every failed or
 * throttled attempt is logged, never with the password.
 */
export class LoginThrottle {
  readonly #byAddress: RateLimit;
  readonly #byAccount: RateLimit;
  constructor(limits: { byAddress: RateLimit; byAccount: RateLimit }) {
    this.#byAddress = limits.byAddress;
    this.#byAccount = limits.byAccount;
  }

  #accountKey(email: string, address: string | undefined): string {
    return `${email.trim().toLowerCase().slice(0, 320)} ${addressKey(address)}`;
  }

  /** Before checking the password: is this attempt throttled already? */
  async check(email: string, address: string | undefined): Promise<RateVerdict> {
    const [a, b] = await Promise.all([this.#byAddress.peek(addressKey(address)), this.#byAccount.peek(this.#accountKey(email, address))]);
    const verdict = a.limited ? a : b;
    // Neither the e-mail nor the address goes to the logs (personal data; the counts hold them, briefly).
    if (verdict.limited) logger.warning("a login was throttled: too many failed attempts {scope}", { scope: a.limited ? "from one address" : "for one account from one address" });
    return verdict;
  }

  async failed(email: string, address: string | undefined): Promise<void> {
    logger.warning("a login failed: unknown e-mail or wrong password");
    await Promise.all([this.#byAddress.hit(addressKey(address)), this.#byAccount.hit(this.#accountKey(email, address))]);
  }

  async succeeded(email: string, address: string | undefined): Promise<void> {
    await this.#byAccount.reset(this.#accountKey(email, address));
  }
}
