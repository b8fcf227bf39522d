// The dispatcher of one channel (e-mail or SMS): it claims due deliveries from the database, sends them
// at the provider's rate, and records every outcome on the delivery row. One dispatcher per channel runs at
// a time in the whole installation (a database lease), so the rate limit holds cluster-wide.
//
// Exactly once per attempt: a row is claimed ('sending') before anything is sent and recorded within
// FLUSH_MS after the provider answered; a second run finds it no longer 'pending'. A process that dies
// between the two leaves the row 'sending'; the next dispatcher to hold the channel's lease hands it back
// (releaseChannelClaims), as does the planner once the claim has run out (releaseStaleDeliveries). Failures: the channel unreachable → everything goes back unharmed and the
// dispatcher pauses; a message-level transient error → that row retries with backoff; a permanent one → the
// next channel (fallback.service.ts).
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Logger } from "../logger.ts";
import { acquireLease } from "../locks/locks.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import { MailSendError, type Mailer } from "../mail/mail.service.ts";
import { readSettingsOfAll } from "../settings/settings.service.ts";
import { SmsSendError, type SmsSender } from "../sms/sms.service.ts";
import { generateLinkToken, hashSecret } from "./codes.ts";
import {
  claimDueDeliveries,
  findClaimedDeliveries,
  markDeliveriesCancelled,
  markDeliveriesSent,
  postpone,
  releaseChannelClaims,
  releaseClaims,
  scheduleRetry,
  type ClaimedDelivery,
  type SentRecord,
} from "./deliveries.queries.ts";
import { failAndFallBack } from "./fallback.service.ts";
import { insertSecrets } from "./invitations.queries.ts";
import { invitationSettings, type InvitationPolicy } from "./invitations.schema.ts";
import { audienceOf, mailWords, messageLocale, smsText } from "./messages.ts";
import { optOutClient, unsubscribeKey } from "./optout.service.ts";
import { createRateLimiter } from "./rate-limiter.ts";
import { nextInWindow } from "../time.ts";

export type DispatchChannel = "email" | "sms";

export type RetryPolicy = { baseDelayMs: number; maxDelayMs: number; maxAttempts: number; outagePauseMs: number };
export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 8, outagePauseMs: 30_000 };

export type DispatchDeps = {
  db: Db;
  config: Config;
  mailer: Mailer;
  sms: SmsSender;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** The clock (tests move it to reminder and expiry days). */
  clock?: () => Date;
};

export type DispatchResult = {
  channel: DispatchChannel;
  /** False when another process holds this channel's dispatcher lease: try again in a few seconds. */
  ran: boolean;
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
  postponed: number;
  /** The provider could not be reached; the dispatcher stopped and should be woken after `retry.outagePauseMs`. */
  outage: boolean;
  /** The time budget ran out with due work left. */
  more: boolean;
};

// Short, and renewed every few seconds while sending: after a crash the next dispatcher takes over soon.
const LEASE_MS = 15_000;
const LEASE_RENEW_MS = 5_000;
/** How long a claimed row is held before the planner assumes its dispatcher died. */
const CLAIM_MS = 5 * 60_000;
const BATCH = 100;
const DAY_MS = 86_400_000;

const dateFormats = {
  nl: new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" }),
  en: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" }),
};

export function emptyResult(channel: DispatchChannel): DispatchResult {
  return { channel, ran: true, sent: 0, retried: 0, failed: 0, cancelled: 0, postponed: 0, outage: false, more: false };
}

/** The invitation's clock from this send: expiry and first reminder count from when it actually went out. */
function clockFrom(now: Date, policy: InvitationPolicy, channel: string) {
  const first = policy.reminderDays[0];
  return {
    expiresAt: new Date(now.getTime() + policy.expiryDays * DAY_MS),
    nextReminderAt: first === undefined || channel === "phone" ? null : new Date(now.getTime() + first * DAY_MS),
  };
}

function messageIdOf(config: Config, deliveryId: number): string {
  return `<lp-delivery-${deliveryId}@${new URL(config.baseUrl).hostname}>`;
}

type Sendable = { row: ClaimedDelivery; token: string; expiresAt: Date };

async function sendEmail(deps: DispatchDeps, item: Sendable): Promise<string> {
  const { row } = item;
  const locale = messageLocale(row.language);
  const link = `${deps.config.baseUrl}/s/${item.token}`;
  const unsubscribeUrl = `${deps.config.baseUrl}/afmelden/${unsubscribeKey(deps.config.sessionSecret, row.clientId)}`;
  const words = mailWords(row.kind, audienceOf(row.audience), locale, {
    municipality: row.municipalityName,
    until: dateFormats[locale].format(item.expiresAt),
    phone: row.municipalityPhone,
  });
  const { text, html } = await renderMail("invitation", { words, link, unsubscribeUrl, municipality: row.municipalityName, locale }, { cache: true });
  const sent = await deps.mailer.send({
    to: row.email!,
    subject: words.subject,
    text,
    html,
    category: row.kind === "invite" ? "invitation" : "reminder",
    municipalityId: row.municipalityId,
    fromName: `Gemeente ${row.municipalityName}`,
    messageId: messageIdOf(deps.config, row.id),
    list: { unsubscribe: { url: unsubscribeUrl, comment: locale === "en" ? "Unsubscribe" : "Afmelden" } },
    headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  });
  return sent.messageId;
}

async function sendSms(deps: DispatchDeps, item: Sendable): Promise<string> {
  const { row } = item;
  const link = `${deps.config.baseUrl}/s/${item.token}`;
  const sent = await deps.sms.send({
    to: row.mobile!,
    body: smsText(row.kind, audienceOf(row.audience), messageLocale(row.language), row.municipalityName, link),
    category: row.kind === "invite" ? "invitation" : "reminder",
    municipalityId: row.municipalityId,
    statusCallback: `${deps.config.baseUrl}/hooks/twilio/status`,
  });
  return sent.providerId;
}

/**
 * Accepted messages are recorded in small groups: one transaction per few dozen messages instead of one each
 * (SQLite has one writer, and every transaction holds it). A group waits at most FLUSH_MS, so a process that
 * dies leaves at most that much accepted-but-unrecorded work, which is sent again (same Message-ID).
 */
const FLUSH_MS = 50;
const FLUSH_SIZE = 50;

function createSentRecorder(db: Db) {
  let buffer: SentRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const records = buffer;
    buffer = [];
    writing = writing.then(() => markDeliveriesSent(db, records));
    return writing;
  };
  return {
    add(record: SentRecord) {
      buffer.push(record);
      if (buffer.length >= FLUSH_SIZE) void flush().catch(() => undefined);
      else timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_MS);
    },
    flush,
  };
}

type Failure = { kind: "outage" } | { kind: "permanent"; error: string; code: string; optedOut?: boolean } | { kind: "transient"; error: string; code: string };

function classify(err: unknown): Failure {
  if (err instanceof MailSendError) {
    if (err.outage) return { kind: "outage" };
    const code = err.responseCode ? `smtp-${err.responseCode}` : (err.code ?? "smtp");
    return err.permanent || err.code === "EENVELOPE" ? { kind: "permanent", error: err.message, code } : { kind: "transient", error: err.message, code };
  }
  if (err instanceof SmsSendError) {
    if (err.details.outage) return { kind: "outage" };
    return err.details.permanent
      ? { kind: "permanent", error: err.message, code: err.details.code, ...(err.details.optedOut ? { optedOut: true } : {}) }
      : { kind: "transient", error: err.message, code: err.details.code };
  }
  // A configuration problem (no SMTP_URL in production) or a bug: keep the message, retry later.
  return { kind: "transient", error: "Niet verstuurd: onverwachte fout bij het versturen.", code: "error" };
}

function backoff(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends what is due on one channel until nothing is due, the budget runs out, or the provider is down.
 * `budgetMs` keeps a single job from running for ever; the caller schedules the next run when `more`.
 */
export async function dispatchChannel(deps: DispatchDeps, channel: DispatchChannel, { budgetMs = 4 * 60_000, concurrency = 10 } = {}): Promise<DispatchResult> {
  const { db, logger } = deps;
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const result = emptyResult(channel);
  const clock = deps.clock ?? (() => new Date());
  const lease = await acquireLease(db, `dispatch:${channel}`, LEASE_MS, clock);
  if (!lease) return { ...result, ran: false };
  lease.keepAlive(LEASE_RENEW_MS);
  const limiter = createRateLimiter(deps.config.rateLimits[channel]);
  const recorder = createSentRecorder(db);
  const started = Date.now();
  try {
    // Only the lease holder claims rows: rows of this channel still 'sending' belong to a holder that died.
    await releaseChannelClaims(db, channel, clock());
    const policyOf = await readSettingsOfAll(db, invitationSettings);
    for (;;) {
      if (Date.now() - started > budgetMs) {
        result.more = true;
        break;
      }
      if (lease.lost() || !(await lease.renew())) break;
      const now = clock();
      const ids = await claimDueDeliveries(db, channel, now, BATCH, new Date(now.getTime() + CLAIM_MS));
      if (ids.length === 0) break;
      const rows = await findClaimedDeliveries(db, ids);

      const cancelled = rows.filter((r) => r.optedOut || (r.invitationStatus !== "planned" && r.invitationStatus !== "sent"));
      await markDeliveriesCancelled(db, cancelled.map((r) => r.id), now);
      result.cancelled += cancelled.length;

      const sendable: Sendable[] = [];
      for (const row of rows) {
        if (cancelled.includes(row)) continue;
        const policy = policyOf(row.municipalityId);
        if (channel === "sms") {
          const allowed = nextInWindow(now, policy.smsWindow);
          if (allowed.getTime() > now.getTime()) {
            await postpone(db, row.id, allowed, now);
            result.postponed += 1;
            continue;
          }
        }
        const address = channel === "email" ? row.email : row.mobile;
        if (!address) {
          // The contact data changed since planning (or was erased): this channel cannot be used any more.
          await failAndFallBack(db, row, { status: "failed", error: channel === "email" ? "Er is geen e-mailadres (meer)." : "Er is geen mobiel nummer (meer).", code: "no-address" }, now);
          result.failed += 1;
          continue;
        }
        const expiresAt = row.invitationStatus === "planned" ? clockFrom(now, policy, channel).expiresAt : row.expiresAt;
        sendable.push({ row, token: generateLinkToken(), expiresAt });
      }
      // The links exist before any message carrying them goes out.
      await insertSecrets(db, sendable.map((s) => ({ invitationId: s.row.invitationId, kind: "token", secretHash: hashSecret(s.token), deliveryId: s.row.id })));

      let outage = false;
      const unsent: number[] = [];
      let next = 0;
      const worker = async () => {
        for (;;) {
          const item = sendable[next++];
          if (!item) return;
          if (outage) {
            unsent.push(item.row.id);
            continue;
          }
          await limiter.take();
          try {
            const providerId = channel === "email" ? await sendEmail(deps, item) : await sendSms(deps, item);
            const at = clock();
            recorder.add({ deliveryId: item.row.id, invitationId: item.row.invitationId, providerId, at, ...clockFrom(at, policyOf(item.row.municipalityId), channel) });
            result.sent += 1;
          } catch (err) {
            const failure = classify(err);
            const at = clock();
            if (failure.kind === "outage") {
              outage = true;
              unsent.push(item.row.id);
            } else if (failure.kind === "permanent") {
              if (failure.optedOut) await optOutClient(db, item.row.clientId, "sms-stop", {}, at);
              else await failAndFallBack(db, item.row, { status: "failed", error: failure.error, code: failure.code }, at);
              result.failed += 1;
            } else if (item.row.attempts >= retry.maxAttempts) {
              await failAndFallBack(db, item.row, { status: "failed", error: `${failure.error} Opgegeven na ${item.row.attempts} pogingen.`, code: failure.code }, at);
              result.failed += 1;
            } else {
              await scheduleRetry(db, item.row.id, new Date(at.getTime() + backoff(retry, item.row.attempts)), failure.error, failure.code, at);
              result.retried += 1;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, sendable.length) }, worker));
      // Everything of this batch is recorded before the next claim (and before the lease is given up).
      await recorder.flush();
      if (outage) {
        await releaseClaims(db, unsent, new Date(clock().getTime() + retry.outagePauseMs), clock());
        result.outage = true;
        logger.warn({ channel, waiting: unsent.length }, "provider unreachable; dispatch paused");
        break;
      }
    }
  } finally {
    await recorder.flush().catch((err: unknown) => logger.error({ err, channel }, "could not record sent messages; they stay 'sending' and will be sent again"));
    await lease.release();
  }
  if (result.sent + result.failed + result.retried > 0) logger.info({ ...result }, "dispatch finished");
  return result;
}

/** Dispatches a channel until nothing due is left (for `jobs run-due` and tests); waits out short outages. */
export async function dispatchAllDue(deps: DispatchDeps, channel: DispatchChannel, { maxRounds = 1_000 } = {}): Promise<DispatchResult> {
  const total = emptyResult(channel);
  for (let round = 0; round < maxRounds; round += 1) {
    const r = await dispatchChannel(deps, channel);
    total.sent += r.sent;
    total.retried += r.retried;
    total.failed += r.failed;
    total.cancelled += r.cancelled;
    total.postponed += r.postponed;
    total.outage = r.outage;
    if (!r.ran) {
      await sleep(200);
      continue;
    }
    if (!r.more) break;
  }
  return total;
}
