// E-mail and SMS invitations through real servers on loopback (an SMTP server and a Twilio-compatible one),
// with the faults the issue names: a mail server that is down for a while, a recipient refused for good,
// Twilio answering 500 then 201, Twilio's 21211 for an invalid number, forged callbacks, STOP replies.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchChannel, type DispatchDeps } from "../../server/invitations/dispatch.service.ts";
import { gsm7Length } from "../../server/invitations/messages.ts";
import { planInvitations } from "../../server/invitations/planner.service.ts";
import { createLetterBatches } from "../../server/letters/letters.service.ts";
import { readLetterPdf } from "../../server/letters/letters.queries.ts";
import { createSmsSender } from "../../server/sms/sms.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { artifactsDir } from "../helpers/browser.ts";
import { linkIn, startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { startTestTwilio, twilioSignature, type TestTwilio } from "../helpers/twilio.ts";
import { testDialect } from "../helpers/database.ts";
import { skipWithoutPoppler } from "../helpers/services.ts";
import { addConversation, DAY_MS, weekdayMorning } from "./fixtures.ts";

let smtp: TestSmtp;
let twilio: TestTwilio;
let t: TestApp;
let deps: DispatchDeps;
let clock = new Date();
const BASE_URL = "https://enquete.voorbeeldstad.example.test";
const WEBHOOK_TOKEN = "webhook-token-0123456789abcdef";

beforeAll(async () => {
  smtp = await startTestSmtp();
  twilio = await startTestTwilio();
  t = await createTestApp({ SMTP_URL: smtp.url, MAIL_FROM: "Luisterpost <noreply@voorbeeldstad.example.test>", BASE_URL, MAIL_WEBHOOK_TOKEN: WEBHOOK_TOKEN, MAIL_RATE_PER_SECOND: "1000", SMS_RATE_PER_SECOND: "1000", ...twilio.env() });
  deps = {
    db: t.database.db,
    config: t.config,
    mailer: t.mailer,
    sms: createSmsSender({ config: t.config, db: t.database.db, logger: t.logger }),
    logger: t.logger,
    retry: { baseDelayMs: 1_000, maxDelayMs: 10_000, maxAttempts: 3, outagePauseMs: 1_000 },
    clock: () => clock,
  };
});

afterAll(async () => {
  await t.close();
  await smtp.close();
  await twilio.close();
});

beforeEach(async () => {
  clock = weekdayMorning(new Date());
  // Each test counts its own messages: what an earlier test left waiting is put aside.
  await t.database.db("deliveries").whereIn("status", ["pending", "sending"]).update({ status: "cancelled" });
});

const db = () => t.database.db;

async function plan() {
  return planInvitations(db(), t.catalog, clock);
}

async function deliveriesOf(clientId: number) {
  return db()("deliveries as d")
    .join("invitations as i", "i.id", "d.invitation_id")
    .where("i.client_id", clientId)
    .orderBy("d.id")
    .select("d.id", "d.kind", "d.sequence", "d.channel", "d.status", "d.attempts", "d.error", "d.error_code", "d.provider_id", "i.status as invitation_status", "i.channel as invitation_channel");
}

function mailsTo(address: string) {
  return smtp.received.filter((m) => m.to === address);
}

const skipPdf = skipWithoutPoppler();

describe(`invitation channels (${testDialect})`, () => {
  it("e-mails the invitation from the municipality, with a working personal link and one-click unsubscribe", async () => {
    const m = await makeMunicipality(db(), { name: "Merelveen" });
    await db()("municipalities").where({ id: m.id }).update({ phone: "033 123 45 67" });
    const c = await addConversation(db(), t.config, m.id);
    await plan();
    const result = await dispatchChannel(deps, "email");
    expect(result).toMatchObject({ ran: true, sent: 1, failed: 0, outage: false });
    const [mail] = mailsTo(c.email);
    expect(mail!.headers.from).toMatch(/^"?Gemeente Merelveen"? <noreply@voorbeeldstad\.example\.test>$/);
    expect(mail!.headers.subject).toBe("Hoe was uw gesprek met de gemeente Merelveen?");
    expect(mail!.headers["list-unsubscribe"]).toMatch(/^<https:\/\/enquete\.voorbeeldstad\.example\.test\/afmelden\/\d+\.[A-Za-z0-9_-]{22}>/);
    expect(mail!.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    expect(mail!.text).toContain("033 123 45 67");
    expect(mail!.text).toContain("Afmelden");
    const [delivery] = await deliveriesOf(c.clientId);
    expect(delivery).toMatchObject({ status: "sent", channel: "email", attempts: 1, invitation_status: "sent" });
    expect(delivery!.provider_id).toBe(mail!.messageId);
    const page = await request(t.app).get(linkIn(mail!.text));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Gemeente Merelveen");
    // A second run finds nothing to send: one message per delivery.
    expect((await dispatchChannel(deps, "email")).sent).toBe(0);
    expect(mailsTo(c.email)).toHaveLength(1);
  });

  it("keeps e-mails waiting while the mail server is down, and sends each once when it is back", async () => {
    const m = await makeMunicipality(db());
    const people = await Promise.all([1, 2, 3].map(() => addConversation(db(), t.config, m.id)));
    await plan();
    await smtp.stop();
    const down = await dispatchChannel(deps, "email");
    expect(down).toMatchObject({ sent: 0, outage: true });
    for (const p of people) expect((await deliveriesOf(p.clientId))[0]).toMatchObject({ status: "pending", attempts: 0 });
    await smtp.start();
    clock = new Date(clock.getTime() + 2_000);
    const up = await dispatchChannel(deps, "email");
    expect(up.sent).toBe(3);
    for (const p of people) expect(mailsTo(p.email)).toHaveLength(1);
  });

  it("falls back to SMS when the mail server refuses the recipient for good", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), t.config, m.id);
    smtp.refuse.add(c.email.toLowerCase());
    await plan();
    expect((await dispatchChannel(deps, "email")).failed).toBe(1);
    const [email, sms] = await deliveriesOf(c.clientId);
    expect(email).toMatchObject({ channel: "email", status: "failed", error_code: "smtp-550" });
    expect(email!.error).not.toContain(c.email);
    expect(sms).toMatchObject({ channel: "sms", status: "pending", sequence: 0, invitation_channel: "sms" });
    expect((await dispatchChannel(deps, "sms")).sent).toBe(1);
    const text = twilio.messages.filter((x) => x.to === c.mobile);
    expect(text).toHaveLength(1);
    expect(gsm7Length(text[0]!.body)).toBeLessThanOrEqual(160);
    expect(text[0]!.body).toMatch(new RegExp(`${BASE_URL}/s/[A-Za-z0-9_-]{22} `));
    expect(text[0]!.statusCallback).toBe(`${BASE_URL}/hooks/twilio/status`);
  });

  it("sends one SMS when Twilio answers 500 first and 201 on the retry", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
    await plan();
    twilio.script({ status: 500, code: 20500, message: "Internal Server Error" });
    expect(await dispatchChannel(deps, "sms")).toMatchObject({ sent: 0, retried: 1 });
    expect((await deliveriesOf(c.clientId))[0]).toMatchObject({ status: "pending", attempts: 1, error_code: "20500" });
    // Not yet due again: the backoff holds it.
    expect((await dispatchChannel(deps, "sms")).sent).toBe(0);
    clock = new Date(clock.getTime() + 1_500);
    expect((await dispatchChannel(deps, "sms")).sent).toBe(1);
    expect(twilio.messages.filter((x) => x.to === c.mobile)).toHaveLength(1);
    expect((await deliveriesOf(c.clientId))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it.skipIf(skipPdf)("falls back to a letter on Twilio's 21211 (invalid number), with the code in the PDF", async () => {
    const m = await makeMunicipality(db(), { name: "Merelveen" });
    const c = await addConversation(db(), t.config, m.id, { preferredChannel: "sms", email: false });
    twilio.failNumber(c.mobile, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    await plan();
    expect((await dispatchChannel(deps, "sms")).failed).toBe(1);
    const [sms, letter] = await deliveriesOf(c.clientId);
    expect(sms).toMatchObject({ status: "failed", error_code: "21211" });
    expect(letter).toMatchObject({ channel: "letter", status: "pending" });
    const batches = await createLetterBatches(db(), t.config, clock);
    expect(batches).toMatchObject({ batches: 1, letters: 1 });
    const batch = await db()("letter_batches").where({ municipality_id: m.id }).first();
    const pdf = await readLetterPdf(db(), m.id, batch.id);
    const dir = path.join(artifactsDir(), `letters-${testDialect}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "fallback-letter.pdf");
    writeFileSync(file, pdf!);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).toContain("Voorbeeldlaan");
    expect(text).toMatch(/9999 ZZ\s+VOORBEELDSTAD/);
    expect(text).toContain("enquete.voorbeeldstad.example.test/code");
    const code = /([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z])/.exec(text)![1]!;
    execFileSync("pdftoppm", ["-png", "-r", "60", file, path.join(dir, "fallback-letter")]);
    expect(readFileSync(path.join(dir, "fallback-letter-1.png")).length).toBeGreaterThan(1000);
    // The printed code opens the questionnaire.
    const agent = request.agent(t.app);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get("/code")).text)![1]!;
    const typed = await agent.post("/code").type("form").send({ _csrf: csrf, code: code.toLowerCase() });
    expect(typed.status).toBe(303);
    expect((await agent.get(typed.headers.location!)).text).toContain("Gemeente Merelveen");
    expect((await deliveriesOf(c.clientId))[1]).toMatchObject({ status: "batched" });
  });

  it("records Twilio's delivery callback, refuses a forged one with 403, and falls back when an SMS did not arrive", async () => {
    const m = await makeMunicipality(db());
    const ok = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
    const lost = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
    await plan();
    await dispatchChannel(deps, "sms");
    const [okDelivery] = await deliveriesOf(ok.clientId);
    const [lostDelivery] = await deliveriesOf(lost.clientId);
    const url = `${BASE_URL}/hooks/twilio/status`;
    const delivered = { MessageSid: okDelivery!.provider_id, MessageStatus: "delivered", AccountSid: "AC1" };
    const forged = await request(t.app).post("/hooks/twilio/status").type("form").set("x-twilio-signature", "bm90LXJpZ2h0").send(delivered);
    expect(forged.status).toBe(403);
    expect(forged.type).toBe("application/problem+json");
    const unsigned = await request(t.app).post("/hooks/twilio/status").type("form").send(delivered);
    expect(unsigned.status).toBe(403);
    expect((await deliveriesOf(ok.clientId))[0]!.status).toBe("sent");
    const good = await request(t.app).post("/hooks/twilio/status").type("form").set("x-twilio-signature", twilioSignature(url, delivered)).send(delivered);
    expect(good.status).toBe(204);
    expect((await deliveriesOf(ok.clientId))[0]!.status).toBe("delivered");
    const undelivered = { MessageSid: lostDelivery!.provider_id, MessageStatus: "undelivered", ErrorCode: "30003" };
    await request(t.app).post("/hooks/twilio/status").type("form").set("x-twilio-signature", twilioSignature(url, undelivered)).send(undelivered).expect(204);
    expect((await deliveriesOf(lost.clientId)).map((d) => [d.channel, d.status])).toEqual([
      ["sms", "failed"],
      ["email", "pending"],
    ]);
  });

  it("opts the client out on every channel after an SMS STOP reply", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
    await plan();
    const url = `${BASE_URL}/hooks/twilio/incoming`;
    const stop = { From: c.mobile, Body: "Stop", To: "+3197010000001" };
    const forged = await request(t.app).post("/hooks/twilio/incoming").type("form").send(stop);
    expect(forged.status).toBe(403);
    const reply = await request(t.app).post("/hooks/twilio/incoming").type("form").set("x-twilio-signature", twilioSignature(url, stop)).send(stop);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("<Message>");
    expect((await db()("clients").where({ id: c.clientId }).first()).opted_out_at).not.toBeNull();
    expect((await deliveriesOf(c.clientId))[0]).toMatchObject({ status: "cancelled", invitation_status: "opted_out" });
    expect((await dispatchChannel(deps, "sms")).sent).toBe(0);
    const audit = await db()("audit_events").where({ action: "client.opted_out", subject_id: String(c.clientId) });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(c.mobile);
  });

  it("unsubscribes only after the confirmation (a link scanner opts no one out), or at once by one-click POST", async () => {
    const m = await makeMunicipality(db());
    const viaPage = await addConversation(db(), t.config, m.id);
    const viaOneClick = await addConversation(db(), t.config, m.id);
    await plan();
    await dispatchChannel(deps, "email");
    const urlOf = (email: string) => new URL(/<([^>]+)>/.exec(mailsTo(email)[0]!.headers["list-unsubscribe"]!)![1]!).pathname;
    const page = await request(t.app).get(urlOf(viaPage.email));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Ja, meld mij af");
    expect((await db()("clients").where({ id: viaPage.clientId }).first()).opted_out_at).toBeNull();
    const confirmed = await request(t.app).post(urlOf(viaPage.email)).type("form").send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain("U bent afgemeld");
    expect((await db()("clients").where({ id: viaPage.clientId }).first()).opted_out_at).not.toBeNull();
    const oneClick = await request(t.app).post(urlOf(viaOneClick.email)).type("form").send("List-Unsubscribe=One-Click");
    expect(oneClick.status).toBe(200);
    expect((await db()("clients").where({ id: viaOneClick.clientId }).first()).opted_out_at).not.toBeNull();
    const tampered = await request(t.app).get(`/afmelden/${viaPage.clientId}.AAAAAAAAAAAAAAAAAAAAAA`);
    expect(tampered.status).toBe(404);
    expect(tampered.text).toContain("Deze link werkt niet");
  });

  it("takes bounces from the mail provider's webhook (token, field-level errors) and falls back to SMS", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), t.config, m.id);
    await plan();
    await dispatchChannel(deps, "email");
    const [sent] = await deliveriesOf(c.clientId);
    const hook = () => request(t.app).post("/hooks/mail/bounce");
    expect((await hook().send({ messageId: sent!.provider_id })).status).toBe(401);
    expect((await hook().set("authorization", "Bearer wrong-token-0123456789abcdef").send({ messageId: sent!.provider_id })).status).toBe(401);
    const bad = await hook().set("authorization", `Bearer ${WEBHOOK_TOKEN}`).send({ messageId: "", type: "hard", extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.type).toBe("application/problem+json");
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["body", "messageId", "type"]);
    const unknown = await hook().set("authorization", `Bearer ${WEBHOOK_TOKEN}`).send({ messageId: "<nobody@example.test>" });
    expect(unknown.status).toBe(404);
    const soft = await hook().set("authorization", `Bearer ${WEBHOOK_TOKEN}`).send({ messageId: sent!.provider_id, type: "transient" });
    expect(soft.body.outcome).toBe("ignored");
    const hard = await hook().set("authorization", `Bearer ${WEBHOOK_TOKEN}`).send({ messageId: sent!.provider_id });
    expect(hard.status).toBe(200);
    expect(hard.body.outcome).toBe("fell-back");
    expect((await deliveriesOf(c.clientId)).map((d) => [d.channel, d.status])).toEqual([
      ["email", "bounced"],
      ["sms", "pending"],
    ]);
  });

  it("cancels a message whose client opted out after planning, and holds an SMS that comes due at night", async () => {
    const m = await makeMunicipality(db());
    const out = await addConversation(db(), t.config, m.id);
    const night = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
    await plan();
    await db()("clients").where({ id: out.clientId }).update({ opted_out_at: clock.toISOString() });
    expect((await dispatchChannel(deps, "email")).cancelled).toBeGreaterThanOrEqual(1);
    expect((await deliveriesOf(out.clientId))[0]!.status).toBe("cancelled");
    clock = new Date(clock.getTime() + 12 * 3600_000); // 23:00
    expect((await dispatchChannel(deps, "sms")).postponed).toBe(1);
    expect((await deliveriesOf(night.clientId))[0]).toMatchObject({ status: "pending", attempts: 0 });
    clock = new Date(clock.getTime() + 11 * 3600_000); // 10:00 the next day
    expect((await dispatchChannel(deps, "sms")).sent).toBe(1);
  });

  it("sends a reminder through the same channel, and none after completion", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), t.config, m.id);
    await plan();
    await dispatchChannel(deps, "email");
    clock = new Date(clock.getTime() + 7 * DAY_MS + 60_000);
    await plan();
    await dispatchChannel(deps, "email");
    const mails = mailsTo(c.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.headers.subject).toContain("Herinnering");
    // The reminder carries its own link; both open the same questionnaire.
    expect(linkIn(mails[0]!.text)).not.toBe(linkIn(mails[1]!.text));
    expect((await request(t.app).get(linkIn(mails[1]!.text))).status).toBe(200);
    await db()("invitations").where({ client_id: c.clientId }).update({ status: "completed" });
    clock = new Date(clock.getTime() + 7 * DAY_MS);
    await plan();
    await dispatchChannel(deps, "email");
    expect(mailsTo(c.email)).toHaveLength(2);
    expect(DAY_MS).toBeGreaterThan(0);
  });
});
