// The whole path of issue 6 with real servers on loopback: a conversation comes in through the API, the
// planner invites, the e-mail arrives at a real SMTP server with a working link, a reminder follows, the
// client completes the questionnaire over HTTP and no reminder comes after that; a client who never answers
// gets both reminders and the invitation expires. The API reports each step.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import { dispatchChannel, type DispatchDeps } from "../../server/invitations/dispatch.service.ts";
import { planInvitations } from "../../server/invitations/planner.service.ts";
import { createSmsSender } from "../../server/sms/sms.service.ts";
import { addDays, amsterdamDate } from "../../server/time.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { testDialect } from "../helpers/database.ts";
import { linkIn, startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { startTestTwilio, type TestTwilio } from "../helpers/twilio.ts";
import { pageCsrf } from "../respondent/fixtures.ts";
import { DAY_MS, weekdayMorning } from "./fixtures.ts";

let t: TestApp;
let smtp: TestSmtp;
let twilio: TestTwilio;
let deps: DispatchDeps;
let key: string;
let clock = weekdayMorning(new Date());

beforeAll(async () => {
  smtp = await startTestSmtp();
  twilio = await startTestTwilio();
  t = await createTestApp({ SMTP_URL: smtp.url, BASE_URL: "https://enquete.example.test", MAIL_RATE_PER_SECOND: "1000", ...twilio.env() });
  deps = { db: t.database.db, config: t.config, mailer: t.mailer, sms: createSmsSender({ config: t.config, db: t.database.db, logger: t.logger }), logger: t.logger, clock: () => clock };
  const m = await makeMunicipality(t.database.db, { name: "Merelveen" });
  key = (await createApiKey(t.database.db, m.id, "Zaaksysteem", { actor: "test", actorUserId: null, ip: null, requestId: null })).key;
});

afterAll(async () => {
  await t.close();
  await smtp.close();
  await twilio.close();
});

const heldOn = () => addDays(amsterdamDate(new Date()), -21);

async function register(externalId: string, client: Record<string, unknown>) {
  const res = await request(t.app)
    .post("/api/v1/conversations")
    .set("Authorization", `Bearer ${key}`)
    .send({ externalId, law: "wmo", heldOn: heldOn(), team: "Sociaal Team Noord", client });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const measurement = async (externalId: string) => (await request(t.app).get(`/api/v1/conversations/${externalId}`).set("Authorization", `Bearer ${key}`)).body.measurement;

async function step(days: number) {
  clock = new Date(clock.getTime() + days * DAY_MS);
  await planInvitations(t.database.db, t.catalog, clock);
  await dispatchChannel(deps, "email");
  await dispatchChannel(deps, "sms");
}

describe(`from conversation to expiry (${testDialect})`, () => {
  it("invites, reminds, takes the answers, and stops; a silent client gets two reminders and the invitation expires", async () => {
    const answering = await register("KTG-PAD-1", { externalId: "C-PAD-1", email: "pad.een@example.test" });
    expect(answering.measurement).toMatchObject({ status: "pending", invitation: null });
    await register("KTG-PAD-2", { externalId: "C-PAD-2", mobile: "06-12000999" });

    await step(0);
    expect(await measurement("KTG-PAD-1")).toMatchObject({ status: "invited", invitation: { channel: "email", status: "sent", remindersSent: 0 }, response: null });
    expect(await measurement("KTG-PAD-2")).toMatchObject({ status: "invited", invitation: { channel: "sms", status: "sent" } });
    const invitationMail = smtp.received.find((r) => r.to === "pad.een@example.test")!;
    expect(invitationMail.headers.subject).toBe("Hoe was uw gesprek met de gemeente Merelveen?");
    expect(twilio.messages.filter((x) => x.to === "+31612000999")).toHaveLength(1);

    await step(7.01);
    const mails = smtp.received.filter((r) => r.to === "pad.een@example.test");
    expect(mails.map((r) => r.headers.subject)).toEqual(["Hoe was uw gesprek met de gemeente Merelveen?", "Herinnering: wilt u de korte vragenlijst invullen?"]);
    expect(twilio.messages.filter((x) => x.to === "+31612000999")).toHaveLength(2);

    // The client follows the reminder's link and completes the questionnaire.
    const agent = request.agent(t.app);
    const link = linkIn(mails[1]!.text);
    const page = await agent.get(link);
    expect(page.status).toBe(200);
    const answers = { wmo_wist_waar: 4, wmo_snel_geholpen: 3, wmo_serieus: 5, contact_toestemming: "nee" };
    const done = await agent.post(`${link}/complete`).set("x-csrf-token", pageCsrf(page.text)).set("accept", "application/json").send({ answers });
    expect(done.status, done.text).toBe(200);
    expect(await measurement("KTG-PAD-1")).toMatchObject({ status: "completed", response: { status: "completed", mode: "online" } });

    await step(7);
    expect(smtp.received.filter((r) => r.to === "pad.een@example.test")).toHaveLength(2);
    expect(twilio.messages.filter((x) => x.to === "+31612000999")).toHaveLength(3);
    expect((await measurement("KTG-PAD-2")).invitation.remindersSent).toBe(2);

    await step(30);
    expect(twilio.messages.filter((x) => x.to === "+31612000999")).toHaveLength(3);
    expect(await measurement("KTG-PAD-2")).toMatchObject({ status: "expired", invitation: { status: "expired" } });
    // The link of an expired invitation says so.
    const sms = twilio.messages.find((x) => x.to === "+31612000999")!;
    const expired = await request(t.app).get(new URL(/https:\/\/\S+/.exec(sms.body)![0]).pathname);
    expect(expired.status).toBe(410);
  });
});
