// Outgoing e-mail against real things: a real SMTP server on loopback and the app's migrated database
// (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set). SMTP_URL is a plain smtp:// URL without
// ignoreTLS: the test server does not offer STARTTLS and nodemailer only upgrades when it is offered;
// the first test checks that the session indeed stayed unencrypted.
import { mkdtempSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { countOf } from "../../server/db.ts";
import { createLogger } from "../../server/logger.ts";
import { findOutboxMessage, insertOutboxMessage, listOutboxMessages, type OutboxFilter } from "../../server/mail/mail.queries.ts";
import { createMailer, MailNotConfiguredError, MailSendError, type Mailer, type OutgoingMail } from "../../server/mail/mail.service.ts";
import { insertMunicipality } from "../../server/municipalities/municipalities.queries.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";

type Received = { mailFrom: string; rcptTo: string[]; secure: boolean; raw: string };
type TestSmtp = { port: number; url: string; received: Received[]; close(): Promise<void> };

async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const { mailFrom, rcptTo } = session.envelope;
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({ mailFrom: mailFrom ? mailFrom.address : "", rcptTo: rcptTo.map((r) => r.address), secure: session.secure, raw });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Headers of a raw message, unfolded, by lower-case name; a repeated header shows as lines joined by \n. */
function headersOf(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const name = line.slice(0, line.indexOf(":")).toLowerCase();
    const value = line.slice(line.indexOf(":") + 1).trim();
    headers[name] = name in headers ? `${headers[name]}\n${value}` : value;
  }
  return headers;
}

const RECIPIENT = "a.jansen@example.nl";
const SUBJECT = "Stel een nieuw wachtwoord in";
const MAIL_FROM = "Luisterpost <noreply@luisterpost.test>";
const TEXT = "Open deze link om een nieuw wachtwoord in te stellen.";
const mail: OutgoingMail = { to: RECIPIENT, subject: SUBJECT, text: TEXT, html: `<p>${TEXT}</p>`, category: "password-reset" };
const production = { NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), BASE_URL: "https://luisterpost.test" };

let database: TestDatabase;
let smtp: TestSmtp;
const dataDir = mkdtempSync(path.join(tmpdir(), "luisterpost-mail-"));
const open: Mailer[] = [];

function mailerWith(env: Record<string, string>): { mailer: Mailer; lines: string[] } {
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, DATABASE_URL: database.url, MAIL_FROM, ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const mailer = createMailer({ config, db: database.db, logger: createLogger({ ...config, logLevel: "debug" }, sink) });
  open.push(mailer);
  return { mailer, lines };
}

function expectNothingPersonal(lines: string[]): void {
  const all = lines.join("\n");
  for (const secret of [RECIPIENT, "@example.nl", SUBJECT, "nieuw wachtwoord"]) expect(all).not.toContain(secret);
}

const failureOf = (sending: Promise<unknown>) => sending.then(() => expect.unreachable("send should fail"), (err: unknown) => err as Error);
const outboxCount = async () => countOf(await database.db("dev_outbox").count({ count: "*" }));
const outboxId = (messageId: string) => Number(messageId.slice("outbox-".length));

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtp();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
  smtp.received.length = 0;
  vi.useRealTimers();
});

afterAll(async () => {
  await smtp.close();
  await database.destroy();
});

describe(`mail over SMTP (${testDialect})`, () => {
  it("delivers From (MAIL_FROM), To, Subject, text and HTML parts and extra headers, unencrypted", async () => {
    const { mailer, lines } = mailerWith({ SMTP_URL: smtp.url });
    expect(mailer.transport).toBe("smtp");
    const sent = await mailer.send({
      ...mail,
      headers: { "X-Luisterpost-Category": "password-reset", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      list: { unsubscribe: [["https://luisterpost.test/u/abc", "mailto:afmelden@luisterpost.test?subject=abc"]] },
    });

    expect(sent.transport).toBe("smtp");
    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message).toMatchObject({ secure: false, mailFrom: "noreply@luisterpost.test", rcptTo: [RECIPIENT] });
    expect(headersOf(message!.raw)).toMatchObject({
      from: MAIL_FROM,
      to: RECIPIENT,
      subject: SUBJECT,
      "message-id": sent.messageId,
      "content-type": expect.stringMatching(/^multipart\/alternative/),
      "x-luisterpost-category": "password-reset",
      "list-unsubscribe-post": "List-Unsubscribe=One-Click",
      "list-unsubscribe": "<https://luisterpost.test/u/abc>, <mailto:afmelden@luisterpost.test?subject=abc>",
    });
    expect(message!.raw).toMatch(/Content-Type: text\/plain[^]*Open deze link om een nieuw wachtwoord in te stellen\./);
    expect(message!.raw).toMatch(/Content-Type: text\/html[^]*<p>Open deze link om een nieuw wachtwoord in te stellen\.<\/p>/);
    expect(await outboxCount()).toBe(0);
    expectNothingPersonal(lines);
  });

  it("uses fromName as display name with the address of MAIL_FROM", async () => {
    const { mailer } = mailerWith({ SMTP_URL: smtp.url });
    await mailer.send({ ...mail, fromName: "Gemeente Leusden" });
    await mailer.send({ ...mail, fromName: "Leusden, Sociaal Team" });
    expect(smtp.received.map((m) => headersOf(m.raw).from)).toEqual([
      "Gemeente Leusden <noreply@luisterpost.test>",
      '"Leusden, Sociaal Team" <noreply@luisterpost.test>',
    ]);
    expect(smtp.received.map((m) => m.mailFrom)).toEqual(["noreply@luisterpost.test", "noreply@luisterpost.test"]);
  });

  it("logs a send with category, transport and message id only", async () => {
    const { mailer, lines } = mailerWith({ SMTP_URL: smtp.url });
    const sent = await mailer.send(mail);
    expect(lines).toHaveLength(1);
    const { level, time: _time, msg: _msg, ...fields } = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(level).toBe(30);
    expect(fields).toEqual({ category: "password-reset", transport: "smtp", messageId: sent.messageId });
    expectNothingPersonal(lines);
  });

  it("throws MailSendError without the address when the server refuses the recipient, and stores nothing", async () => {
    const refusing = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error(`<${RECIPIENT}>: Recipient address rejected: mailbox unavailable`), { responseCode: 550 }));
      },
    });
    const { mailer, lines } = mailerWith({ SMTP_URL: refusing.url });
    try {
      const error = await failureOf(mailer.send(mail));
      expect(error).toBeInstanceOf(MailSendError);
      expect(error.message).toBe("E-mail niet verstuurd: de mailserver weigerde de ontvanger (SMTP-code 550).");
      expect(error).toMatchObject({ responseCode: 550, permanent: true });
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("@");
      expect(refusing.received).toHaveLength(0);
      expect(await outboxCount()).toBe(0);
      expectNothingPersonal(lines);
    } finally {
      // The pool keeps its connection open, and the server waits for open connections when it closes.
      await mailer.close();
      await refusing.close();
    }
  });

  it("throws MailSendError when no SMTP server listens", async () => {
    const { mailer, lines } = mailerWith({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    const error = await failureOf(mailer.send(mail));
    expect(error).toBeInstanceOf(MailSendError);
    expect(error.message).toBe("E-mail niet verstuurd: de mailserver is niet bereikbaar (verbinding geweigerd).");
    expect(error).toMatchObject({ permanent: false, responseCode: undefined });
    expect(await outboxCount()).toBe(0);
    expectNothingPersonal(lines);
  });

  it("refuses a recipient field that is not exactly one address, before connecting", async () => {
    const { mailer } = mailerWith({ SMTP_URL: smtp.url });
    for (const to of [`${RECIPIENT}, b@example.nl`, "", "geen adres"]) {
      const error = await failureOf(mailer.send({ ...mail, to }));
      expect(error).toBeInstanceOf(MailSendError);
      expect(error.message).toBe("E-mail niet verstuurd: het adres van de ontvanger is ongeldig.");
    }
    expect(smtp.received).toHaveLength(0);
  });

  it("sends over SMTP in production when SMTP_URL is set", async () => {
    const { mailer } = mailerWith({ ...production, SMTP_URL: smtp.url });
    expect((await mailer.send(mail)).transport).toBe("smtp");
    expect(smtp.received).toHaveLength(1);
  });
});

describe(`mail without SMTP_URL (${testDialect})`, () => {
  it("stores the message in dev_outbox outside production and sends nothing", async () => {
    const { mailer, lines } = mailerWith({});
    expect(mailer.transport).toBe("outbox");
    const municipality = await insertMunicipality(database.db, { code: "GM0327", name: "Leusden" });
    const before = Date.now();
    const sent = await mailer.send({
      ...mail,
      municipalityId: municipality.id,
      fromName: "Gemeente Leusden",
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      list: { unsubscribe: [["https://luisterpost.test/u/abc", "mailto:afmelden@luisterpost.test"]] },
    });

    expect(sent).toEqual({ transport: "outbox", messageId: expect.stringMatching(/^outbox-\d+$/) });
    const stored = await findOutboxMessage(database.db, outboxId(sent.messageId));
    expect(stored).toEqual({
      id: outboxId(sent.messageId), channel: "email", municipalityId: municipality.id, category: "password-reset",
      recipient: RECIPIENT, subject: SUBJECT, bodyText: mail.text, bodyHtml: mail.html,
      headers: {
        From: '"Gemeente Leusden" <noreply@luisterpost.test>',
        "List-Unsubscribe": "<https://luisterpost.test/u/abc>, <mailto:afmelden@luisterpost.test>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
      createdAt: expect.any(Date),
    });
    expect(stored!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(stored!.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    expect(smtp.received).toHaveLength(0);
    expect(lines.map((line) => JSON.parse(line).messageId)).toEqual([sent.messageId]);
    expectNothingPersonal(lines);

    const plain = await mailer.send({ ...mail, html: undefined });
    const plainStored = await findOutboxMessage(database.db, outboxId(plain.messageId));
    expect(plainStored).toMatchObject({ municipalityId: null, bodyHtml: null, headers: { From: MAIL_FROM } });
    expect(await findOutboxMessage(database.db, 999_999)).toBeUndefined();
  });

  it("refuses in production with MailNotConfiguredError and stores nothing", async () => {
    const { mailer, lines } = mailerWith(production);
    const before = await outboxCount();
    const error = await failureOf(mailer.send(mail));
    expect(error).toBeInstanceOf(MailNotConfiguredError);
    expect(error.message).toBe("SMTP_URL: e-mail is niet ingesteld; in productie gaat er geen e-mail naar de ontwikkel-outbox.");
    expect(await outboxCount()).toBe(before);
    expectNothingPersonal(lines);
  });
});

describe(`dev outbox queries (${testDialect})`, () => {
  it("lists by municipality and channel, newest first, in pages", async () => {
    const db = database.db;
    await db("dev_outbox").delete();
    const utrecht = await insertMunicipality(db, { code: "GM0344", name: "Utrecht" });
    const amersfoort = await insertMunicipality(db, { code: "GM0307", name: "Amersfoort" });
    // Only Date is faked, so knex's pool timers keep running. Inserting out of time order shows that the
    // list sorts by created_at, not by id.
    vi.useFakeTimers({ toFake: ["Date"] });
    const add = async (minute: number, municipalityId: number | null, channel: "email" | "sms", category: string) => {
      vi.setSystemTime(new Date(Date.UTC(2026, 10, 22, 9, minute)));
      await insertOutboxMessage(db, { channel, municipalityId, category, recipient: "r", bodyText: category });
    };
    await add(3, utrecht.id, "email", "u-3");
    await add(1, utrecht.id, "email", "u-1");
    await add(2, utrecht.id, "sms", "u-2-sms");
    await add(4, amersfoort.id, "email", "a-4");
    await add(5, null, "email", "none-5");
    vi.useRealTimers();

    const categories = async (filter: OutboxFilter) => (await listOutboxMessages(db, filter)).map((m) => m.category);
    expect(await categories({ limit: 10 })).toEqual(["none-5", "a-4", "u-3", "u-2-sms", "u-1"]);
    expect(await categories({ municipalityId: "all", limit: 10 })).toEqual(["none-5", "a-4", "u-3", "u-2-sms", "u-1"]);
    expect(await categories({ municipalityId: utrecht.id, limit: 10 })).toEqual(["u-3", "u-2-sms", "u-1"]);
    expect(await categories({ municipalityId: utrecht.id, channel: "email", limit: 10 })).toEqual(["u-3", "u-1"]);
    expect(await categories({ municipalityId: utrecht.id, channel: "sms", limit: 10 })).toEqual(["u-2-sms"]);
    expect(await categories({ municipalityId: null, limit: 10 })).toEqual(["none-5"]);
    expect(await categories({ channel: "email", limit: 2 })).toEqual(["none-5", "a-4"]);
    expect(await categories({ channel: "email", limit: 2, offset: 2 })).toEqual(["u-3", "u-1"]);
    expect(await categories({ channel: "email", limit: 2, offset: 4 })).toEqual([]);

    const [newest] = await listOutboxMessages(db, { municipalityId: utrecht.id, limit: 1 });
    expect(newest).toMatchObject({ channel: "email", headers: {}, subject: null, bodyHtml: null });
    expect(newest!.createdAt.toISOString()).toBe("2026-11-22T09:03:00.000Z");
  });

  it("deletes a municipality's outbox messages with the municipality", async () => {
    const db = database.db;
    const zeist = await insertMunicipality(db, { code: "GM0355", name: "Zeist" });
    const stored = await insertOutboxMessage(db, { channel: "sms", municipalityId: zeist.id, category: "invitation", recipient: "0612345678", bodyText: "x" });
    await db("municipalities").where({ id: zeist.id }).delete();
    expect(await findOutboxMessage(db, stored.id)).toBeUndefined();
  });
});
