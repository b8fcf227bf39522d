// Outgoing SMS through Twilio (the twilio library), or, without a Twilio account outside production, into
// the dev outbox. TWILIO_API_BASE sends the API calls to a Twilio-compatible server (tests, staging).
// Phone numbers and message texts are personal data: never logged.
import { createRequire } from "node:module";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { Config, TwilioConfig } from "../config.ts";
import type { Db } from "../db.ts";
import type { Logger } from "../logger.ts";
import { insertOutboxMessage } from "../mail/mail.queries.ts";

export type OutgoingSms = {
  /** E.164, e.g. +31612345678. */
  to: string;
  body: string;
  /** What the message is for, e.g. 'invitation'; logged, so never personal. */
  category: string;
  municipalityId?: number | null;
  /** Where Twilio reports delivery (its signature is checked there). */
  statusCallback?: string;
};

export type SentSms = { transport: "twilio" | "outbox"; providerId: string; status: string };

export type SmsSender = { transport: "twilio" | "outbox"; send(sms: OutgoingSms): Promise<SentSms>; close(): Promise<void> };

/**
 * Sending failed. `permanent`: this message to this number will never work (an invalid or landline number,
 * a recipient who replied STOP to Twilio); `outage`: Twilio could not be reached at all, so the whole
 * channel should wait rather than each message counting an attempt.
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly details: { code: string; permanent: boolean; outage: boolean; optedOut?: boolean },
  ) {
    super(message);
    this.name = "SmsSendError";
  }
}

export class SmsNotConfiguredError extends Error {
  constructor() {
    super("TWILIO_ACCOUNT_SID: sms is niet ingesteld; in productie gaat er geen sms naar de ontwikkel-outbox.");
    this.name = "SmsNotConfiguredError";
  }
}

// Twilio error codes that mean "this number cannot get this message", never worth a retry.
const PERMANENT_CODES: Record<number, string> = {
  21211: "het nummer is ongeldig",
  21214: "het nummer is ongeldig",
  21217: "het nummer is ongeldig",
  21401: "het nummer is ongeldig",
  21407: "dit land wordt niet bediend",
  21408: "dit land wordt niet bediend",
  21612: "het nummer is niet bereikbaar via sms",
  21614: "het nummer is geen mobiel nummer",
  21610: "de ontvanger heeft zich afgemeld (STOP)",
  30003: "het nummer is niet bereikbaar",
  30005: "het nummer bestaat niet",
  30006: "het nummer is een vast nummer of niet bereikbaar",
};

const OUTAGE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

export function toSmsError(err: unknown): SmsSendError {
  const e = (err ?? {}) as { status?: number; code?: number | string; message?: string };
  if (typeof e.code === "number" && PERMANENT_CODES[e.code]) {
    return new SmsSendError(`Sms niet verstuurd: ${PERMANENT_CODES[e.code]} (Twilio ${e.code}).`, {
      code: String(e.code),
      permanent: true,
      outage: false,
      optedOut: e.code === 21610,
    });
  }
  if (typeof e.status === "number") {
    // 429 and 5xx pass; other 4xx mean the request itself is wrong and will stay wrong.
    const transient = e.status === 429 || e.status >= 500;
    return new SmsSendError(`Sms niet verstuurd: Twilio antwoordde met status ${e.status}${e.code ? ` (code ${e.code})` : ""}.`, {
      code: e.code ? String(e.code) : `http-${e.status}`,
      permanent: !transient,
      outage: false,
    });
  }
  if (typeof e.code === "string" && OUTAGE_CODES.has(e.code)) {
    return new SmsSendError("Sms niet verstuurd: Twilio is niet bereikbaar.", { code: e.code, permanent: false, outage: true });
  }
  return new SmsSendError("Sms niet verstuurd: onbekende fout bij Twilio.", { code: "unknown", permanent: false, outage: false });
}

type TwilioModule = typeof import("twilio");
let twilioModule: TwilioModule | undefined;
/** The twilio library (and its HTTP stack) is loaded only in processes that send SMS or check Twilio's signatures. */
function twilioLib(): TwilioModule {
  return (twilioModule ??= createRequire(import.meta.url)("twilio") as TwilioModule);
}

/** A RequestClient that sends every call to TWILIO_API_BASE instead of https://*.twilio.com. */
function rebasedClient(apiBase: string): RequestClient {
  const base = new URL(apiBase);
  const twilio = twilioLib();
  class RebasedRequestClient extends twilio.RequestClient {
    override request<T>(opts: RequestClient.RequestOptions<T>) {
      const uri = new URL(opts.uri);
      uri.protocol = base.protocol;
      uri.host = base.host;
      uri.pathname = `${base.pathname.replace(/\/$/, "")}${uri.pathname}`;
      return super.request<T>({ ...opts, uri: uri.toString() });
    }
  }
  return new RebasedRequestClient({ timeout: 15_000 });
}

function twilioClient(settings: TwilioConfig) {
  return twilioLib()(settings.accountSid, settings.authToken, {
    ...(settings.apiBase ? { httpClient: rebasedClient(settings.apiBase) } : {}),
    autoRetry: false,
  });
}

export function createSmsSender({ config, db, logger }: { config: Config; db: Db; logger: Logger }): SmsSender {
  const settings = config.twilio;
  if (!settings) {
    return {
      transport: "outbox",
      async send(sms) {
        if (config.isProduction) throw new SmsNotConfiguredError();
        const stored = await insertOutboxMessage(db, { channel: "sms", municipalityId: sms.municipalityId ?? null, category: sms.category, recipient: sms.to, bodyText: sms.body });
        const providerId = `outbox-${stored.id}`;
        logger.info({ category: sms.category, transport: "outbox", providerId }, "sms stored in dev outbox");
        return { transport: "outbox", providerId, status: "sent" };
      },
      async close() {},
    };
  }
  const client = twilioClient(settings);
  return {
    transport: "twilio",
    async send(sms) {
      let message: { sid: string; status: string };
      try {
        message = await client.messages.create({
          to: sms.to,
          body: sms.body,
          ...(settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : { from: settings.from! }),
          ...(sms.statusCallback ? { statusCallback: sms.statusCallback } : {}),
        });
      } catch (err) {
        throw toSmsError(err);
      }
      logger.info({ category: sms.category, transport: "twilio", providerId: message.sid }, "sms sent");
      return { transport: "twilio", providerId: message.sid, status: message.status };
    },
    async close() {},
  };
}

/** Twilio's signature check for its callbacks, against the public URL it called. */
export function validTwilioSignature(config: Config, signature: string | undefined, url: string, params: Record<string, unknown>): boolean {
  if (!config.twilio || !signature) return false;
  return twilioLib().validateRequest(config.twilio.authToken, signature, url, params);
}
