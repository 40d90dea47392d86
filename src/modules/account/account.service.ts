import type { EntityManager } from "@mikro-orm/postgresql";
import { invalid } from "../../shared/errors.ts";
import { hashPassword, verifyPassword } from "../user/password.ts";
import { type User, UserSchema } from "../user/user.entity.ts";
import { minPasswordLength } from "../user/user.service.ts";
import type { SessionService } from "./session.service.ts";

/** The password rules, as field problems (empty when the password is acceptable). */
export function passwordProblems(password: string, field = "password"): { field: string; message: string }[] {
  if (password.length < minPasswordLength) return [{ field, message: `must have at least ${minPasswordLength} characters` }];
  if (password.length > 1024) return [{ field, message: "must have at most 1024 characters" }];
  return [];
}

let dummyHash: Promise<string> | undefined;

/** Passwords of web accounts: checking them at login, changing them (which ends the other sessions). */
export class AccountService {
  readonly #em: EntityManager;
  readonly #sessions: SessionService;
  constructor(em: EntityManager, sessions: SessionService) {
    this.#em = em;
    this.#sessions = sessions;
  }

  /**
   * The user whose email and password these are, or null. An unknown email costs the same hashing
   * as a wrong password, so the answer time does not tell which accounts exist.
   */
  async checkPassword(email: string, password: string): Promise<User | null> {
    const address = email.trim().toLowerCase();
    const user = address.length <= 320 ? await this.#em.fork().findOne(UserSchema, { email: address }, { populate: ["passwordHash"] }) : null;
    if (!user || password.length > 1024) {
      dummyHash ??= hashPassword("relais-dummy-password");
      await verifyPassword(password.slice(0, 1024), await dummyHash);
      return null;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : null;
  }

  /** Changes a password after checking the current one; every other session of the user ends. */
  async changePassword(userId: string, current: string, next: string, keepSessionId: string): Promise<void> {
    const em = this.#em.fork();
    const user = await em.findOneOrFail(UserSchema, { id: userId }, { populate: ["passwordHash"] });
    if (!(await verifyPassword(current, user.passwordHash))) {
      throw invalid("the current password is not right", [{ field: "current", message: "is not your current password" }]);
    }
    await this.setPassword(userId, next, keepSessionId);
  }

  /** Sets a new password (after a reset link or the CLI); every session but `keepSessionId` ends. */
  async setPassword(userId: string, next: string, keepSessionId?: string): Promise<void> {
    const problems = passwordProblems(next);
    if (problems.length > 0) throw invalid(`the new password ${problems[0]?.message}`, problems);
    const passwordHash = await hashPassword(next);
    await this.#em.fork().nativeUpdate(UserSchema, { id: userId }, { passwordHash });
    await this.#sessions.endAll(userId, keepSessionId);
  }
}
