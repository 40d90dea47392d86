import { createHash, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { generateSecret, generateURI, verify } from "otplib";
import { notFound } from "../../shared/errors.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { MembershipSchema, UserSchema } from "../user/user.entity.ts";
import { RecoveryCodeSchema } from "./recovery-code.entity.ts";

const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
const recoveryCount = 10;

/** "k7m2p-x9q4r": ten characters without look-alikes, in two groups. */
function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => recoveryAlphabet[b % recoveryAlphabet.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

const normaliseRecovery = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, "");
const hashCode = (userId: string, code: string) => createHash("sha256").update(`${userId}:${normaliseRecovery(code)}`).digest("hex");

/** Steps of 30 s accepted on either side of now: phones' clocks drift. */
const tolerance = 30;

/**
 * The optional second factor: TOTP (RFC 6238, 6 digits, 30 s) with recovery codes. A code is accepted
 * only for a time step after the last accepted one (stored), so a code seen over a shoulder or in a
 * log cannot be used again; a recovery code works once.
 */
export class SecondFactorService {
  readonly #em: EntityManager;
  readonly #issuer: string;
  constructor(em: EntityManager, opts: { issuer: string }) {
    this.#em = em;
    this.#issuer = opts.issuer;
  }

  async status(userId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
    const em = this.#em.fork();
    const user = await em.findOne(UserSchema, { id: userId }, { populate: ["totpSecret"] });
    return { enabled: Boolean(user?.totpSecret), recoveryCodesLeft: await em.count(RecoveryCodeSchema, { user: userId }) };
  }

  /** A fresh secret and the otpauth:// address an authenticator app reads (typed in or as a QR code). */
  proposal(email: string, given?: string): { secret: string; uri: string } {
    const secret = given && /^[A-Z2-7]{16,64}$/.test(given) ? given : generateSecret();
    return { secret, uri: generateURI({ issuer: this.#issuer, label: email, secret }) };
  }

  /**
   * Turns the second factor on once the app proved it has the secret (a valid code); returns the
   * recovery codes, to be shown once. Null when the code is not right.
   */
  async enable(userId: string, secret: string, code: string): Promise<string[] | null> {
    if (!/^[A-Z2-7]{16,64}$/.test(secret)) return null;
    const result = await this.#check(secret, code, undefined);
    if (result === null) return null;
    const codes = Array.from({ length: recoveryCount }, newRecoveryCode);
    await this.#em.fork().transactional(async (em) => {
      await em.nativeUpdate(UserSchema, { id: userId }, { totpSecret: secret, totpLastStep: result });
      await em.nativeDelete(RecoveryCodeSchema, { user: userId });
      for (const c of codes) em.create(RecoveryCodeSchema, { user: userId, codeHash: hashCode(userId, c) });
      await em.flush();
    });
    return codes;
  }

  async disable(userId: string): Promise<void> {
    await this.#em.fork().transactional(async (em) => {
      await em.nativeUpdate(UserSchema, { id: userId }, { totpSecret: null, totpLastStep: null });
      await em.nativeDelete(RecoveryCodeSchema, { user: userId });
    });
  }

  /**
   * The operator turns an account's second factor off (`relais user reset-second-factor`), for an
   * editor who lost both the phone and the recovery codes: the account logs in with its password alone
   * until it turns TOTP on again. Written in the audit log of each of its collectives, so that their
   * owners see it. Says whether the factor was on (nothing changes when it was not).
   */
  async resetByOperator(userId: string): Promise<{ wasEnabled: boolean }> {
    return this.#em.fork().transactional(async (em) => {
      const user = await em.findOne(UserSchema, { id: userId }, { populate: ["totpSecret"] });
      if (!user) throw notFound(`the account ${userId}`);
      if (!user.totpSecret) return { wasEnabled: false };
      await em.nativeUpdate(UserSchema, { id: userId }, { totpSecret: null, totpLastStep: null });
      await em.nativeDelete(RecoveryCodeSchema, { user: userId });
      for (const m of await em.find(MembershipSchema, { user: userId })) {
        await writeAudit(em, { collectiveId: m.collective.id, actor: "cli", action: "member.second-factor-reset", subject: user.email });
      }
      return { wasEnabled: true };
    });
  }

  /** Whether `code` (six digits, or a recovery code) completes this user's login; each is accepted once. */
  async verify(userId: string, code: string): Promise<boolean> {
    const em = this.#em.fork();
    const digits = code.replace(/\s/g, "");
    if (!/^\d{6}$/.test(digits)) {
      if (normaliseRecovery(code).length !== 10) return false;
      return (await em.nativeDelete(RecoveryCodeSchema, { user: userId, codeHash: hashCode(userId, code) })) === 1;
    }
    const user = await em.findOne(UserSchema, { id: userId }, { populate: ["totpSecret"] });
    if (!user?.totpSecret) return false;
    const step = await this.#check(user.totpSecret, digits, user.totpLastStep ?? undefined);
    if (step === null) return false;
    // Compare-and-set: of two requests with the same code, one wins.
    const updated = await em.nativeUpdate(
      UserSchema,
      { id: userId, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] },
      { totpLastStep: step },
    );
    return updated === 1;
  }

  /** The time step of a valid code, or null. */
  async #check(secret: string, code: string, afterTimeStep: number | undefined): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    const result = await verify({ secret, token: code, epochTolerance: tolerance, ...(afterTimeStep !== undefined ? { afterTimeStep } : {}) });
    return result.valid && "timeStep" in result ? (result.timeStep as number) : null;
  }
}
