// Outgoing e-mail for every feature (password reset, invitations, escalations). With SMTP_URL the
// message goes out through one pooled SMTP transport; without it, outside production, it is kept in the
// dev outbox instead. Recipients, subjects and bodies are personal data: they are never logged.
import nodemailer, { type ListHeaders, type NodemailerError } from "nodemailer";
import addressparser from "nodemailer/lib/addressparser";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Logger } from "../logger.ts";
import { insertOutboxMessage } from "./mail.queries.ts";

export type MailTransportKind = "smtp" | "outbox";

type ListHeaderValue = ListHeaders[string];

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What the message is for, e.g. 'password-reset'; logged, so never personal. */
  category: string;
  municipalityId?: number | null;
  /** Display name for the sender; the address always stays that of MAIL_FROM (SPF, DKIM). */
  fromName?: string;
  headers?: Record<string, string>;
  /** RFC 8058 one-click unsubscribe: `[[httpsUrl, mailtoUrl]]` gives one List-Unsubscribe header. */
  list?: { unsubscribe: ListHeaderValue };
  /**
   * A Message-ID of our own (`<…@…>`): bulk senders derive it from their delivery row, so a message sent again
   * after a crash carries the same id and mail programs show it once.
   */
  messageId?: string;
};

export type SentMail = { transport: MailTransportKind; messageId: string };

export type Mailer = {
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): Promise<void>;
  /** In production without SMTP_URL this says "outbox", but send() refuses: see MailNotConfiguredError. */
  transport: MailTransportKind;
};

const MESSAGES = {
  notConfigured: "SMTP_URL: e-mail is niet ingesteld; in productie gaat er geen e-mail naar de ontwikkel-outbox.",
  badMailFrom: "MAIL_FROM: er staat geen geldig e-mailadres in, bijvoorbeeld Luisterpost <noreply@gemeente.nl>.",
  badRecipient: "E-mail niet verstuurd: het adres van de ontvanger is ongeldig.",
} as const;

/** E-mail cannot be sent at all with this configuration; fixing the environment is the only remedy. */
export class MailNotConfiguredError extends Error {
  constructor(message: string = MESSAGES.notConfigured) {
    super(message);
    this.name = "MailNotConfiguredError";
  }
}

/**
 * Sending failed. The message is plain Dutch and never names the recipient: the server's own reply is
 * left out because servers often quote the address in it. `permanent` tells a job whether retrying the
 * same message can help (a 5xx reply) or not (connection trouble, a 4xx reply).
 */
export class MailSendError extends Error {
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly permanent: boolean;
  /** The mail server could not be reached or refused the session itself: every message would fail now. */
  readonly outage: boolean;

  constructor(message: string, details: { code?: string | undefined; responseCode?: number | undefined; permanent: boolean }) {
    super(message);
    this.name = "MailSendError";
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.permanent = details.permanent;
    this.outage = (details.responseCode === undefined && details.code !== "EENVELOPE") || details.responseCode === 421;
  }
}

function describeFailure(err: NodemailerError): string {
  const reply = err.responseCode ? ` (SMTP-code ${err.responseCode})` : "";
  const command = (err.command ?? "").toUpperCase();
  if (err.code === "EAUTH") return `de mailserver weigerde de inloggegevens uit SMTP_URL${reply}`;
  if (err.responseCode) {
    if (command.startsWith("RCPT")) return `de mailserver weigerde de ontvanger${reply}`;
    if (command.startsWith("MAIL")) return `de mailserver weigerde de afzender${reply}`;
    return `de mailserver weigerde het bericht${reply}`;
  }
  const cause = err.originalCode ?? err.code;
  switch (cause) {
    case "ECONNREFUSED":
      return "de mailserver is niet bereikbaar (verbinding geweigerd)";
    case "EDNS":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "de naam van de mailserver is niet gevonden";
    case "ETIMEDOUT":
      return "de mailserver antwoordde niet op tijd";
    case "ETLS":
      return "de beveiligde verbinding met de mailserver is mislukt";
    case "ENOAUTH":
      return "de mailserver vraagt om inloggen, maar SMTP_URL bevat geen gebruiker en wachtwoord";
    default:
      return "de verbinding met de mailserver is mislukt";
  }
}

function toSendError(err: unknown): MailSendError {
  const e = (err ?? {}) as NodemailerError;
  return new MailSendError(`E-mail niet verstuurd: ${describeFailure(e)}.`, {
    code: typeof e.code === "string" ? e.code : undefined,
    responseCode: typeof e.responseCode === "number" ? e.responseCode : undefined,
    permanent: e.permanent === true,
  });
}

/** Exactly one mailbox: a comma in `to` must never turn one message into several. */
function assertSingleRecipient(to: string): void {
  const boxes = addressparser(to, { flatten: true });
  if (boxes.length !== 1 || !/^[^@\s]+@[^@\s]+$/.test(boxes[0]!.address)) {
    throw new MailSendError(MESSAGES.badRecipient, { code: "EENVELOPE", permanent: true });
  }
}

function cleanDisplayName(name: string | undefined): string | undefined {
  const cleaned = name?.replace(/\s+/g, " ").trim();
  return cleaned ? cleaned : undefined;
}

/** The List-* headers roughly as nodemailer writes them, so the outbox shows what would have been sent. */
function listHeadersForOutbox(list: ListHeaders): Record<string, string> {
  const format = (entry: ListHeaderValue): string => {
    if (Array.isArray(entry)) return entry.map((e) => format(e)).join(", ");
    if (typeof entry === "string") return `<${entry}>`;
    return entry.comment ? `<${entry.url}> (${entry.comment})` : `<${entry.url}>`;
  };
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(list)) {
    headers[`List-${key.charAt(0).toUpperCase()}${key.slice(1)}`] = format(value);
  }
  return headers;
}

export function createMailer({ config, db, logger }: { config: Config; db: Db; logger: Logger }): Mailer {
  const fromAddress = addressparser(config.mailFrom, { flatten: true })[0]?.address || undefined;
  const fromFor = (mail: OutgoingMail) => {
    const name = cleanDisplayName(mail.fromName);
    return name && fromAddress ? { name, address: fromAddress } : config.mailFrom;
  };

  if (!config.smtpUrl) {
    return {
      transport: "outbox",
      async send(mail) {
        if (config.isProduction) throw new MailNotConfiguredError();
        assertSingleRecipient(mail.to);
        const from = fromFor(mail);
        const stored = await insertOutboxMessage(db, {
          channel: "email",
          municipalityId: mail.municipalityId ?? null,
          category: mail.category,
          recipient: mail.to,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html ?? null,
          headers: {
            From: typeof from === "string" ? from : `"${from.name.replace(/["\\]/g, "\\$&")}" <${from.address}>`,
            ...(mail.list ? listHeadersForOutbox(mail.list) : {}),
            ...(mail.messageId ? { "Message-ID": mail.messageId } : {}),
            ...mail.headers,
          },
        });
        const messageId = mail.messageId ?? `outbox-${stored.id}`;
        logger.info({ category: mail.category, transport: "outbox", messageId }, "mail stored in dev outbox");
        return { transport: "outbox", messageId };
      },
      async close() {},
    };
  }

  if (!fromAddress) throw new MailNotConfiguredError(MESSAGES.badMailFrom);
  // Pooled: invitation peaks send thousands of messages, one SMTP session each would be slow and may
  // trip the provider's connection limits. The timeouts replace nodemailer's defaults (2 and 10 minutes)
  // so a silent server fails the job instead of holding a worker. Options in the URL's query win.
  const transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  // An idle pooled connection can fail between sends; without a listener that error would end the process.
  transporter.on("error", (err: NodemailerError) => {
    logger.warn({ code: err.code, responseCode: err.responseCode }, "mail transport error");
  });
  let closed = false;

  return {
    transport: "smtp",
    async send(mail) {
      assertSingleRecipient(mail.to);
      let messageId: string;
      try {
        const info = await transporter.sendMail({
          from: fromFor(mail),
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html !== undefined ? { html: mail.html } : {}),
          ...(mail.headers ? { headers: mail.headers } : {}),
          ...(mail.list ? { list: mail.list } : {}),
          ...(mail.messageId ? { messageId: mail.messageId } : {}),
        });
        messageId = info.messageId;
      } catch (err) {
        throw toSendError(err);
      }
      logger.info({ category: mail.category, transport: "smtp", messageId }, "mail sent");
      return { transport: "smtp", messageId };
    },
    async close() {
      if (closed) return;
      closed = true;
      transporter.close();
    },
  };
}
