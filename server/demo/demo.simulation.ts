// The demo year, day by day, through the real code paths with the simulated moment as "now": the case system
// registers the day's intakes, the planner runs every morning (invitations, skips, reminders, expiry), the
// dispatchers send e-mail and SMS, the letter job prints batches that the administrator posts, the interviewer
// works the phone list and the follow-up queue, clients answer, and after each quarter the administrator closes
// it (with open answers chosen as quotes) and the readers get their e-mail.
import { recordAudit } from "../audit/audit.service.ts";
import { HttpError } from "../errors.ts";
import { fingerprintKey, registerConversations } from "../intake/intake.service.ts";
import { validateConversation } from "../intake/intake.schema.ts";
import { countDueDeliveries } from "../invitations/deliveries.queries.ts";
import { dispatchChannel } from "../invitations/dispatch.service.ts";
import { invitationSettings } from "../invitations/invitations.schema.ts";
import { planInvitations } from "../invitations/planner.service.ts";
import { createLetterBatches, purgePostedLetterFiles } from "../letters/letters.service.ts";
import { selectAnswerQuote } from "../followups/quotes.service.ts";
import { notifyQuarterlyReports } from "../reports/notify.service.ts";
import { makePeriod, nextPeriod, periodContaining, type Period } from "../reports/period.ts";
import { closeReportPeriod } from "../reports/reports.service.ts";
import { writeSettings } from "../settings/settings.service.ts";
import { addDays, amsterdamDate, isWorkingDay, momentOn, workingDayAfter } from "./demo.calendar.ts";
import { callPhoneList, postLetters } from "./demo.clients.ts";
import { planFollowup } from "./demo.followups.ts";
import type { Knex } from "../db.ts";
import { DemoAbortedError } from "./demo.clock.ts";
import type { Intake } from "./demo.population.ts";
import { followupsAfter, openAnswersOf, stampRegistrations, stampSettings } from "./demo.queries.ts";
import type { World } from "./demo.world.ts";

const DAY = 86_400_000;

function inputOf(intake: Intake) {
  const c = intake.client;
  return {
    externalId: intake.externalId,
    law: intake.law,
    heldOn: intake.heldOn,
    team: intake.team,
    area: intake.area,
    provision: intake.provision,
    ...(intake.preferredChannel ? { preferredChannel: intake.preferredChannel } : {}),
    client: {
      externalId: c.externalId,
      birthYear: c.birthYear,
      language: c.language,
      ...(c.email ? { email: c.email } : {}),
      ...(c.mobile ? { mobile: c.mobile } : {}),
      ...(c.address ? { address: { street: "Voorbeeldlaan", houseNumber: String(c.number), postalCode: "9999 ZZ", city: "Voorbeeldstad" } } : {}),
    },
  };
}

/** The case system sends the intakes of the day (as the API would take them). */
export async function registerIntakes(world: World, intakes: Intake[], at: Date): Promise<number[]> {
  const inputs = intakes.map((intake) => {
    const checked = validateConversation(inputOf(intake), { strict: true, today: amsterdamDate(at) });
    if (!checked.ok) throw new Error(`demo intake ${intake.externalId} is invalid: ${checked.problems.map((p) => p.field).join(", ")}`);
    return checked.value;
  });
  const outcomes = await registerConversations(world.db, fingerprintKey(world.config.sessionSecret), world.staff.municipality.id, inputs, { source: "api" });
  await stampRegistrations(world.db, world.staff.municipality.id, at);
  const ids = outcomes.map((o) => o.conversationId);
  ids.forEach((id, index) => world.intakes.set(id, intakes[index]!));
  return ids;
}

async function setPolicy(world: World, enabledChannels: { email: boolean; sms: boolean; letter: boolean; phone: boolean }, at: Date): Promise<void> {
  const { admin } = world.staff;
  const saved = await writeSettings(world.db, admin.municipalityId, invitationSettings, invitationSettings.schema.parse({ enabledChannels }), admin.userId);
  if (!saved.ok) throw new Error("demo policy refused");
  await stampSettings(world.db, admin.municipalityId, "invitations", at);
  await recordAudit(world.db, { action: "invitations.settings_changed", municipalityId: admin.municipalityId, subjectType: "settings", subjectId: "invitations", details: { enabledChannels }, ...admin.actor });
}

/** The dispatchers, woken as the planner job wakes them: only for a channel with messages due. */
async function dispatchAll(world: World, at: Date): Promise<void> {
  const deps = { ...world.dispatch, db: world.db, clock: () => at };
  for (const channel of ["email", "sms"] as const) {
    if ((await countDueDeliveries(world.db, channel, at)) > 0) await dispatchChannel(deps, channel);
  }
}

/** After a quarter: two open answers chosen as quotes, the period closed (stored as it is), the readers told. */
async function closeQuarter(world: World, period: Period, at: Date, alsoHalfYear: Period | undefined): Promise<void> {
  const { admin, municipality } = world.staff;
  const me = { municipalityId: admin.municipalityId, userId: admin.userId, role: admin.role, actor: admin.actor };
  const answers = (await openAnswersOf(world.db, municipality.id, period, "verbetering")).filter((a) => a.text.length >= 30);
  for (const chosen of answers.slice(0, 2)) {
    await selectAnswerQuote(world.db, me, chosen.responseId, "verbetering", { text: "", confirmed: true }, at).catch((err: unknown) => {
      // Chosen already (the same text twice): the service says so; anything else is a fault.
      if (!(err instanceof HttpError && err.status < 500)) throw err;
    });
  }
  for (const closing of alsoHalfYear ? [period, alsoHalfYear] : [period]) {
    await closeReportPeriod(world.db, world.catalog, municipality, closing, admin.userId, at);
    await recordAudit(world.db, { action: "report.period_closed", municipalityId: municipality.id, subjectType: "report", subjectId: closing.key, ...admin.actor });
  }
  await notifyQuarterlyReports({ db: world.db, catalog: world.catalog, mailer: world.mailer, config: world.config, logger: world.logger }, new Date(at.getTime() + 30 * 60_000));
}

/** The quarters that end within the year and began after the first answers could come in. */
function quartersToClose(world: World): Period[] {
  const quarters: Period[] = [];
  const firstAnswers = world.start.getTime() + 21 * DAY;
  for (let q = periodContaining("quarter", world.start); q.end.getTime() + 7 * DAY <= world.end.getTime(); q = nextPeriod(q)) {
    if (q.start.getTime() >= firstAnswers - 14 * DAY) quarters.push(q);
  }
  return quarters;
}

/** Puts the whole year on the clock; `world.time.run()` then lets it happen. */
export function scheduleYear(world: World, intakes: Intake[]): void {
  const { time } = world;
  const startDay = amsterdamDate(world.start);
  const endDay = amsterdamDate(world.end);
  const byDay = new Map<string, Intake[]>();
  for (const intake of intakes) byDay.set(intake.registeredOn, [...(byDay.get(intake.registeredOn) ?? []), intake]);

  // At first Voorbeeldstad sends only e-mail and letters; SMS and the phone list follow six weeks later.
  time.at(world.start, (t) => setPolicy(world, { email: true, sms: false, letter: true, phone: false }, t));
  time.at(momentOn(workingDayAfter(addDays(startDay, 42), 0), 9, 0).getTime() - 60_000, (t) => setPolicy(world, { email: true, sms: true, letter: true, phone: true }, t));

  let lastFollowup = 0;
  for (let day = startDay; day <= endDay; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    const working = isWorkingDay(day);
    // Voorbeeldstad prints its letters on Monday mornings and posts them on Tuesday.
    if (weekday === 1) {
      time.at(momentOn(day, 6, 0), async (t) => {
        await createLetterBatches(world.db, world.config, t);
        await purgePostedLetterFiles(world.db, t);
      });
    }
    time.at(momentOn(day, 8, 30), async () => {
      const found = await followupsAfter(world.db, world.staff.municipality.id, lastFollowup);
      for (const followup of found) planFollowup(world, followup);
      lastFollowup = found.at(-1)?.id ?? lastFollowup;
    });
    time.at(momentOn(day, 9, 0), (t) => planInvitations(world.db, world.catalog, t).then(() => undefined));
    time.at(momentOn(day, 9, 0), (t) => dispatchAll(world, t), { alone: true });
    if (working) {
      time.at(momentOn(day, 10, 0), (t) => callPhoneList(world, t));
      time.at(momentOn(day, 11, 0), (t) => postLetters(world, t));
    }
    time.at(momentOn(day, 15, 0), (t) => dispatchAll(world, t), { alone: true });
    const registered = byDay.get(day);
    if (registered) time.at(momentOn(day, 17, 0), (t) => registerIntakes(world, registered, t).then(() => undefined));
  }

  const quarters = quartersToClose(world);
  for (const quarter of quarters) {
    const closeDay = workingDayAfter(amsterdamDate(new Date(quarter.end.getTime() + 6 * DAY)), 0);
    const half = quarter.index % 2 === 0 ? makePeriod("half", quarter.year, quarter.index / 2) : undefined;
    const halfClosable = half && quarters.some((q) => q.key === `${quarter.year}-Q${quarter.index - 1}`) ? half : undefined;
    time.at(momentOn(closeDay, 10, 0), (t) => closeQuarter(world, quarter, t, halfClosable), { alone: true });
  }

  // The end is now: the planner and the dispatchers have just run, and today's letters are in a batch not posted yet.
  time.at(world.end, (t) => planInvitations(world.db, world.catalog, t).then(() => undefined));
  time.at(world.end, (t) => dispatchAll(world, t), { alone: true });
  time.at(world.end, (t) => createLetterBatches(world.db, world.config, t).then(() => undefined));
}

/**
 * Lets the year happen. A simulated day's work shares one database transaction (the services' own transactions
 * become savepoints inside it): thousands of commits fewer. The dispatchers (which send with several workers at
 * once) and a quarter's closing (which reads its own snapshot) run outside it, as they would on a server. When
 * the demo is stopped, what happened so far stays.
 */
export async function runYear(world: World): Promise<void> {
  const base = world.db;
  let open: { day: string; trx: Knex.Transaction } | undefined;
  const commit = async () => {
    if (!open) return;
    const { trx } = open;
    open = undefined;
    world.db = base;
    await trx.commit();
  };
  try {
    await world.time.run(async (run, at, alone) => {
      const day = amsterdamDate(at);
      if (open && (alone || open.day !== day)) await commit();
      if (!alone && !open) open = { day, trx: await base.transaction() };
      world.db = open ? open.trx : base;
      await run(at);
    });
    await commit();
  } catch (err) {
    if (err instanceof DemoAbortedError) await commit();
    else if (open) await open.trx.rollback(err).catch(() => undefined);
    throw err;
  } finally {
    world.db = base;
  }
}
