import { getLogger } from "@logtape/logtape";
import nodemailer from "nodemailer";

const logger = getLogger(["relais", "mail"]);

/** Sends plain-text messages; a failure is a value (the link is shown on the page anyway). */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** The mailer of RELAIS_SMTP_URL, or undefined when none is configured (links are then only shown). */
export function createMailer(smtpUrl: string | undefined, from: string): Mailer | undefined {
  if (!smtpUrl) return undefined;
  const transport = nodemailer.createTransport(smtpUrl, { from });
  return {
    async send(message) {
      try {
        await transport.sendMail({ ...message, from });
        return { ok: true };
      } catch (error) {
        const reason = (error as Error).message;
        logger.warning("could not send a message to {to}: {reason}", { to: message.to, reason });
        return { ok: false, reason };
      }
    },
  };
}
