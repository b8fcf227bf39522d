// The interviewers' year: every follow-up the completion step created is picked up from the queue on a working
// day (mostly within the service level, sometimes late), called until the client is reached or three days
// passed without an answer, and written up through the follow-up services — attempts, a call-back, notes per
// topic, themes, an outcome, quotes (one held back for review), two urgent signals (one acknowledged by the
// municipality), a hand-over by the administrator. The last days' follow-ups are still open or being worked on.
import { HttpError } from "../errors.ts";
import { findFollowup, OUTCOMES, type AttemptResult, type Outcome } from "../followups/followups.queries.ts";
import { acknowledge, markUrgent } from "../followups/followups.escalation.ts";
import { assign, claim, logAttempt, saveConversation, topicsOf, type Who } from "../followups/followups.service.ts";
import { addFollowupQuote } from "../followups/quotes.service.ts";
import { momentOn, workingDayAfter } from "./demo.calendar.ts";
import type { StaffMember } from "./demo.accounts.ts";
import { randomFor, type Random } from "./demo.random.ts";
import { FLAGGED_QUOTE, NOTES, QUOTES, THEMES_OF, TOPIC_THEME } from "./demo.texts.ts";
import type { World } from "./demo.world.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;

function who(member: StaffMember): Who {
  return { municipalityId: member.municipalityId, userId: member.userId, role: member.role, actor: member.actor };
}

type Pattern = "reached" | "second" | "callback" | "not-reached" | "wrong-number";
const FIRST_PATTERNS: Pattern[] = ["not-reached", "wrong-number", "callback", "second", "reached", "reached", "reached"];

/** Runs a step; a refusal by the service (the follow-up changed meanwhile) ends this follow-up's story quietly. */
async function step(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err) {
    if (err instanceof HttpError && err.status < 500) return false;
    throw err;
  }
}

function at(day: string, random: Random, fromHour = 9, toHour = 16): Date {
  return momentOn(day, random.int(fromHour, toHour - 1), random.int(0, 59));
}

/** A part of the story one follow-up plays: the urgent signals and the quote that waits for review. */
type Role = "urgent-acknowledged" | "urgent-open" | "flagged-quote";

/** The conversation with the client: notes per topic, themes, an outcome, sometimes a quote and an urgent signal. */
async function converse(world: World, holder: StaffMember, id: number, random: Random, t: Date, role: Role | undefined): Promise<void> {
  const followup = await findFollowup(world.db, holder.municipalityId, id);
  if (!followup || followup.status !== "claimed") return;
  const notes: Record<string, string> = {};
  const themes = new Set<string>();
  for (const topic of topicsOf(followup)) {
    const theme = topic === "algemeen" ? "algemeen" : (TOPIC_THEME[topic] ?? "algemeen");
    if (topic !== "algemeen" && random.chance(0.25)) continue;
    notes[topic] = random.pick(NOTES[theme]!);
    for (const key of THEMES_OF[topic] ?? []) if (themes.size < 2 && random.chance(0.6)) themes.add(key);
  }
  if (random.chance(0.1)) themes.add("eigen_bijdrage");
  if (themes.size === 0) themes.add("communicatie");
  const me = who(holder);
  // Quotes the client agreed to; one names a team and waits for the administrator's review.
  if (role === "flagged-quote") await step(() => addFollowupQuote(world.db, me, id, { text: FLAGGED_QUOTE, consent: true, confirmed: true }, t));
  else if (random.chance(0.35)) await step(() => addFollowupQuote(world.db, me, id, { text: random.pick(QUOTES), consent: true, confirmed: true }, t));
  const escalation = { db: world.db, mailer: world.mailer, config: world.config };
  if (role === "urgent-acknowledged") {
    // A client without the care they need: the municipality hears at once and confirms the next working day.
    await saveConversation(world.db, me, id, { notes, themes: [...themes] }, t);
    await markUrgent(escalation, me, id, "geen_zorg", new Date(t.getTime() + 5 * MINUTE));
    const next = momentOn(workingDayAfter(t, 1), 9, 40);
    world.time.at(next, (n) => acknowledge(world.db, who(world.staff.admin), id, n));
    world.time.at(next.getTime() + 3 * 3_600_000, (n) => step(() => saveConversation(world.db, me, id, { notes, themes: [...themes], outcome: "signaal" }, n)).then(() => undefined));
    return;
  }
  if (role === "urgent-open") {
    // A safety concern of the last weeks: flagged and e-mailed, not acknowledged yet.
    await saveConversation(world.db, me, id, { notes, themes: [...themes] }, t);
    await markUrgent(escalation, me, id, "veiligheid", new Date(t.getTime() + 5 * MINUTE));
    return;
  }
  // Likewise every outcome early in the year, then as they come.
  const outcome = OUTCOMES[world.story.conversations++] ?? random.weighted<Outcome>([["opgelost", 30], ["doorverwezen", 20], ["signaal", 18], ["geen_actie", 22], ["wil_niet", 10]]);
  await step(() => saveConversation(world.db, me, id, { notes, themes: [...themes], outcome }, new Date(t.getTime() + 20 * MINUTE)));
}

async function attempt(world: World, holder: StaffMember, id: number, result: AttemptResult, t: Date, callbackAt?: Date): Promise<boolean> {
  return step(() => logAttempt(world.db, who(holder), id, { result, ...(callbackAt ? { callbackAt } : {}) }, t));
}

/** The part of the story a new follow-up plays, if any: each part once, in the order follow-ups come in. */
function roleOf(world: World, followup: { id: number; createdAt: Date }): Role | undefined {
  const age = world.end.getTime() - followup.createdAt.getTime();
  const story = world.story;
  if (age < 8 * DAY) return undefined;
  if (story.urgentAcknowledged === undefined && age <= 120 * DAY) {
    story.urgentAcknowledged = followup.id;
    return "urgent-acknowledged";
  }
  if (story.flaggedQuote === undefined && age <= 40 * DAY) {
    story.flaggedQuote = followup.id;
    return "flagged-quote";
  }
  if (story.urgentOpen === undefined && age <= 20 * DAY) {
    story.urgentOpen = followup.id;
    return "urgent-open";
  }
  return undefined;
}

/** Plans the work on a new follow-up, from the day it came in. */
export function planFollowup(world: World, followup: { id: number; createdAt: Date }): void {
  const random = randomFor(`followup:${followup.id}:${followup.createdAt.toISOString()}`);
  const age = world.end.getTime() - followup.createdAt.getTime();
  // The last days' follow-ups wait in the queue; those of last week are being called.
  const waiting = age < 3 * DAY;
  const recent = age < 8 * DAY;
  const role = roleOf(world, followup);
  // What is being worked on now is the printed interviewer's, so it shows under "mijn gesprekken".
  const holder = recent || random.chance(0.72) ? world.staff.interviewer : world.staff.colleague;
  // Mostly within the five working days, now and then late.
  const delay = waiting ? 3 : recent || role ? 1 : random.weighted<number>([[1, 38], [2, 30], [3, 14], [4, 8], [7, 6], [9, 4]]);
  const claimDay = workingDayAfter(followup.createdAt, delay);
  // The first of the year go through every way a call can go, so each shows up at any size of the demo.
  const first = FIRST_PATTERNS[world.story.planned++];
  const pattern: Pattern = role ? "reached" : recent ? "not-reached" : (first ?? random.weighted<Pattern>([["reached", 48], ["second", 22], ["callback", 9], ["not-reached", 15], ["wrong-number", 6]]));
  const id = followup.id;
  const claimAt = at(claimDay, random, 9, 12);
  let current = holder;

  world.time.at(claimAt, async (t) => {
    if (!(await step(() => claim(world.db, who(holder), id, t)))) return;
    const callAt = new Date(t.getTime() + 4 * MINUTE);
    switch (pattern) {
      case "reached":
        if (await attempt(world, holder, id, "reached", callAt)) await converse(world, holder, id, random, new Date(callAt.getTime() + 25 * MINUTE), role);
        return;
      case "second": {
        if (!(await attempt(world, holder, id, random.chance(0.5) ? "no_answer" : "voicemail", callAt))) return;
        world.time.at(at(workingDayAfter(callAt, 1), random), async (n) => {
          // Whoever holds it by then (the administrator may have handed it over) makes the second call.
          if (await attempt(world, current, id, "reached", n)) await converse(world, current, id, random, new Date(n.getTime() + 25 * MINUTE), role);
        });
        return;
      }
      case "callback": {
        const callback = momentOn(workingDayAfter(callAt, 2), 10, 30);
        if (!(await attempt(world, holder, id, "callback", callAt, callback))) return;
        world.time.at(callback, async (n) => {
          if (await attempt(world, holder, id, "reached", n)) await converse(world, holder, id, random, new Date(n.getTime() + 25 * MINUTE), role);
        });
        return;
      }
      case "wrong-number":
        if (!(await attempt(world, holder, id, "wrong_number", callAt))) return;
        await step(() => saveConversation(world.db, who(holder), id, { notes: { algemeen: "Het nummer klopt niet en er is geen ander nummer bekend." }, themes: [], outcome: "niet_bereikt" }, new Date(callAt.getTime() + 5 * MINUTE)));
        return;
      case "not-reached": {
        // Three days without an answer closes it as not reached (the service does that on the third day).
        let when = callAt;
        for (let n = 0; n < 3; n += 1) {
          const result: AttemptResult = n === 1 ? "voicemail" : "no_answer";
          if (n === 0) {
            if (!(await attempt(world, holder, id, result, when))) return;
            continue;
          }
          when = at(workingDayAfter(when, 2), random);
          const moment = when;
          world.time.at(moment, (m) => attempt(world, holder, id, result, m).then(() => undefined));
        }
        return;
      }
    }
  });

  // Once: the administrator hands a colleague's follow-up to the interviewer whose sign-in the demo prints.
  if (holder === world.staff.colleague && world.story.handedOver === undefined && followup.createdAt.getTime() >= world.end.getTime() - 60 * DAY && pattern === "second") {
    world.story.handedOver = id;
    world.time.at(claimAt.getTime() + 30 * MINUTE, async (t) => {
      if (await step(() => assign(world.db, who(world.staff.admin), id, world.staff.interviewer.userId, t))) current = world.staff.interviewer;
    });
  }
}
