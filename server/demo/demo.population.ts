// The people of Voorbeeldstad: a year of synthetic intakes (Wmo and Jeugd, teams, areas, provisions, ages),
// each client's contact data (example.test addresses, 06-12 numbers, Voorbeeldlaan 9999 ZZ) with what the
// providers will make of it (a refused address, a bounce, an invalid number), and per invitation how the client
// will behave (answer the invitation or a reminder, open and stop, opt out, never react) and feel.
import type { Channel } from "../intake/intake.normalize.ts";
import { addDays } from "../time.ts";
import { randomFor, seededRandom, type Random } from "./demo.random.ts";
import { AREAS, JEUGD_PROVISIONS, JEUGD_TEAM, WMO_PROVISIONS, WMO_TEAMS } from "./demo.texts.ts";

export type Satisfaction = "positive" | "mixed" | "negative";
export type EmailFate = "ok" | "refused" | "bounce" | "greylisted";
export type SmsFate = "ok" | "invalid" | "undelivered" | "stop";

export type Persona = {
  /** The message the client answers: 0 the invitation, 1 or 2 a reminder; null: never completes. */
  respondsTo: 0 | 1 | 2 | null;
  /** What a client who never completes does instead. */
  otherwise: "ignore" | "open" | "abandon" | "optout";
  satisfaction: Satisfaction;
  consent: "ja" | "nee" | null;
  /** A letter's answer: typed in online with the code, or the paper form sent back. */
  letter: "code" | "paper";
  /** Hours between a message arriving and the client reacting. */
  delayHours: number;
  /** The label its answers are drawn from. */
  seed: string;
};

export type Client = {
  externalId: string;
  number: number;
  birthYear: number;
  language: "nl" | "en";
  email: string | null;
  /** As the case system sends it (06-12…) and as stored (E.164). */
  mobile: string | null;
  mobileE164: string | null;
  address: boolean;
  emailFate: EmailFate;
  smsFate: SmsFate;
};

export type Intake = {
  externalId: string;
  law: "wmo" | "jeugd";
  heldOn: string;
  /** The day the case system sends it (the same day; a late import much later). */
  registeredOn: string;
  team: string;
  area: string;
  provision: string;
  preferredChannel: Channel | null;
  client: Client;
  personas: Record<string, Persona>;
};

export type PopulationOptions = { startDay: string; endDay: string; scale: number };

const WEEKDAY = (day: string) => new Date(`${day}T12:00:00Z`).getUTCDay();
const isWeekday = (day: string) => WEEKDAY(day) >= 1 && WEEKDAY(day) <= 5;
const monthOf = (day: string) => Number(day.slice(5, 7));

/** Fewer intakes in the summer holidays and around Christmas. */
function season(day: string): number {
  const month = monthOf(day);
  const date = Number(day.slice(8, 10));
  if (month === 7 || month === 8) return 0.7;
  if ((month === 12 && date >= 20) || (month === 1 && date <= 4)) return 0.4;
  return 1;
}

function mobileOf(number: number): { input: string; e164: string } {
  const digits = String(number % 1_000_000).padStart(6, "0");
  return { input: `06-12${digits}`, e164: `+31612${digits}` };
}

/** Age bands per law: [youngest, oldest, weight]. Wmo clients are mostly old; Jeugd spans childhood up to 22. */
const AGE_BANDS: Record<"wmo" | "jeugd", ReadonlyArray<readonly [number, number, number]>> = {
  wmo: [
    [25, 64, 20],
    [65, 74, 25],
    [75, 84, 35],
    [85, 97, 20],
  ],
  jeugd: [
    [0, 5, 20],
    [6, 11, 35],
    [12, 17, 35],
    [18, 22, 10],
  ],
};

function birthYear(random: Random, law: "wmo" | "jeugd", year: number): number {
  // One draw per band, in order, then the weighted pick: the same seed always gives the same demo.
  return year - random.weighted<number>(AGE_BANDS[law].map(([youngest, oldest, weight]) => [random.int(youngest, oldest), weight]));
}

function newClient(random: Random, number: number, law: "wmo" | "jeugd", heldOn: string): Client {
  const year = Number(heldOn.slice(0, 4));
  const born = birthYear(random, law, year);
  const age = year - born;
  // Older clients have an e-mail address less often; for Jeugd the parents' contact data is given.
  const emailShare = law === "jeugd" ? 0.9 : age >= 85 ? 0.45 : age >= 75 ? 0.65 : 0.8;
  const hasEmail = random.chance(emailShare);
  const hasMobile = random.chance(law === "jeugd" ? 0.9 : age >= 85 ? 0.65 : 0.85);
  const mobile = mobileOf(number);
  return {
    externalId: `DEMO-C-${String(number).padStart(5, "0")}`,
    number,
    birthYear: born,
    language: random.chance(0.05) ? "en" : "nl",
    email: hasEmail ? `${law === "jeugd" ? "ouder" : "client"}-${String(number).padStart(5, "0")}@example.test` : null,
    mobile: hasMobile ? mobile.input : null,
    mobileE164: hasMobile ? mobile.e164 : null,
    address: true,
    emailFate: random.weighted<EmailFate>([["ok", 95], ["refused", 2], ["bounce", 2], ["greylisted", 1]]),
    smsFate: random.weighted<SmsFate>([["ok", 96.5], ["invalid", 1.5], ["undelivered", 1.5], ["stop", 0.5]]),
  };
}

/** How a client will react to an invitation, and how they will answer. Later in the year waiting times improve. */
export function personaFor(label: string, context: { provision: string; team: string; heldOn: string; startDay: string }): Persona {
  const random = randomFor(label);
  const respondsTo = random.weighted<"0" | "1" | "2" | "never">([["0", 27], ["1", 12], ["2", 7], ["never", 54]]);
  const otherwise = random.weighted<Persona["otherwise"]>([["ignore", 78], ["open", 10], ["abandon", 8], ["optout", 4]]);
  // About one client in nine is dissatisfied; more with transport (late taxis), and at Sociaal Team Zuid in spring.
  let negative = 0.08;
  if (context.provision === "vervoer") negative += 0.06;
  const monthIndex = Math.floor((Date.parse(context.heldOn) - Date.parse(context.startDay)) / (30.5 * 86_400_000));
  if (context.team === "Sociaal Team Zuid" && monthIndex >= 3 && monthIndex <= 6) negative += 0.06;
  const satisfaction = random.weighted<Satisfaction>([["negative", negative], ["mixed", 0.13], ["positive", 1 - negative - 0.13]]);
  const consentWeights: Record<Satisfaction, Array<["ja" | "nee" | "blank", number]>> = {
    positive: [["ja", 25], ["nee", 65], ["blank", 10]],
    mixed: [["ja", 45], ["nee", 45], ["blank", 10]],
    negative: [["ja", 75], ["nee", 20], ["blank", 5]],
  };
  const consent = random.weighted(consentWeights[satisfaction]);
  return {
    respondsTo: respondsTo === "never" ? null : (Number(respondsTo) as 0 | 1 | 2),
    otherwise,
    satisfaction,
    consent: consent === "blank" ? null : consent,
    letter: random.chance(0.45) ? "paper" : "code",
    delayHours: random.weighted<number>([[1, 15], [3, 20], [8, 15], [20, 20], [30, 10], [50, 10], [90, 7], [140, 3]]) * (0.7 + random.next() * 0.6),
    seed: label,
  };
}

function audiencesOf(law: "wmo" | "jeugd", heldOn: string, birthYear: number): string[] {
  if (law === "wmo") return ["client"];
  const age = Number(heldOn.slice(0, 4)) - birthYear;
  return age < 12 ? ["ouders"] : age < 18 ? ["ouders", "jongeren"] : ["jongeren"];
}

type Draft = Omit<Intake, "personas">;

/**
 * The year's intakes in the order the case system sends them. A few are arranged so that every state shows up
 * whatever the scale: clients reachable only by SMS while the municipality had no SMS yet (unreachable), e-mail
 * only clients whose address is refused (failed), an import of old intakes (too old), clients who come back
 * (survey fatigue, invited again after half a year, or opted out the first time), and in the last weeks letters,
 * phone calls and quick, dissatisfied answers, so the letter batch, the phone list and the follow-up queue have
 * something current.
 */
export function generateIntakes(options: PopulationOptions): Intake[] {
  const random = seededRandom(20261201);
  const { startDay, endDay, scale } = options;
  const drafts: Draft[] = [];
  const firstIntakes: Draft[] = [];
  const optingOut = new Set<Draft>();
  const quick = new Set<Draft>();
  let clientNumber = 100;
  let intakeNumber = 0;

  const make = (heldOn: string, registeredOn: string, shape: Partial<Draft> = {}): Draft => {
    const law = shape.law ?? (random.chance(0.66) ? "wmo" : "jeugd");
    const client = shape.client ?? newClient(random, ++clientNumber, law, heldOn);
    const age = Number(heldOn.slice(0, 4)) - client.birthYear;
    const preferred =
      shape.preferredChannel !== undefined
        ? (shape.preferredChannel ?? "none")
        : law === "wmo"
          ? random.weighted<Channel | "none">([["none", 70], ["letter", age >= 75 ? 7 : 3], ["email", 8], ["sms", 6], ["phone", 3]])
          : random.weighted<Channel | "none">([["none", 82], ["sms", 10], ["email", 8]]);
    const draft: Draft = {
      externalId: `DEMO-KTG-${String(++intakeNumber).padStart(5, "0")}`,
      law,
      heldOn,
      registeredOn,
      team: law === "jeugd" ? JEUGD_TEAM : random.pick(WMO_TEAMS),
      area: random.pick(AREAS),
      provision: law === "jeugd" ? random.weighted(JEUGD_PROVISIONS) : random.weighted(WMO_PROVISIONS),
      ...shape,
      preferredChannel: preferred === "none" ? null : preferred,
      client,
    };
    drafts.push(draft);
    if (!shape.client) firstIntakes.push(draft);
    return draft;
  };
  const variant = (law: "wmo" | "jeugd", day: string, change: (c: Client) => Partial<Client>): Client => {
    const client = newClient(random, ++clientNumber, law, day);
    return { ...client, ...change(client) };
  };
  const withMobile = (c: Client) => ({ mobile: mobileOf(c.number).input, mobileE164: mobileOf(c.number).e164, smsFate: "ok" as const });

  const lastInviteDay = addDays(endDay, -21);
  let weekday = 0;
  for (let day = startDay; day < endDay; day = addDays(day, 1)) {
    if (!isWeekday(day)) continue;
    weekday += 1;
    const expected = 3.9 * scale * season(day);
    let count = Math.floor(expected) + (random.chance(expected - Math.floor(expected)) ? 1 : 0);
    // The first weeks: clients with only a mobile number, while the municipality sends no SMS yet.
    if (weekday <= 12 && weekday % 4 === 1) {
      make(day, day, { law: "wmo", preferredChannel: null, client: variant("wmo", day, (c) => ({ ...withMobile(c), email: null, address: false })) });
      count -= 1;
    }
    // Now and then an e-mail-only client whose address the mail server refuses: the invitation fails.
    if (weekday % 45 === 20) {
      make(day, day, {
        law: "wmo",
        preferredChannel: null,
        client: variant("wmo", day, (c) => ({ email: `client-${String(c.number).padStart(5, "0")}@example.test`, mobile: null, mobileE164: null, address: false, emailFate: "refused" })),
      });
      count -= 1;
    }
    // The last five weeks: now and then (every weekday of the last days) a client who answers the invitation at
    // once, dissatisfied and willing to be called, so the follow-up queue has current work at any size.
    if (day > addDays(lastInviteDay, -35) && day <= lastInviteDay && (weekday % 6 === 0 || day > addDays(lastInviteDay, -5))) {
      quick.add(make(day, day, { law: "wmo", preferredChannel: null, client: variant("wmo", day, (c) => ({ ...withMobile(c), email: `client-${String(c.number).padStart(5, "0")}@example.test`, emailFate: "ok" })) }));
      count -= 1;
    }
    // The last weeks before today's invitations: something for the letter batch and the phone list every day.
    if (day > addDays(lastInviteDay, -10) && day <= lastInviteDay) {
      make(day, day, { law: "wmo", preferredChannel: "letter", client: variant("wmo", day, () => ({ email: null })) });
      make(day, day, { law: "wmo", preferredChannel: "phone", client: variant("wmo", day, withMobile) });
      count -= 2;
    }
    for (let i = 0; i < count; i += 1) {
      const roll = random.next();
      if (roll < 0.085 && firstIntakes.length > 20) {
        // A client back within half a year (survey fatigue), or after more than half a year (invited again).
        const soon = roll < 0.06;
        const candidates = firstIntakes.filter((d) => d.law === "wmo" && (soon ? d.heldOn >= addDays(day, -150) && d.heldOn <= addDays(day, -45) : d.heldOn <= addDays(day, -200)));
        if (candidates.length > 0) {
          const first = random.pick(candidates);
          make(day, day, { law: first.law, client: first.client });
          continue;
        }
      }
      make(day, day);
    }
    // Now and then a client who opted out after an earlier intake comes back for new support: not invited.
    if (weekday % 20 === 0) {
      const candidates = firstIntakes.filter((d) => d.law === "wmo" && !optingOut.has(d) && d.heldOn >= addDays(day, -150) && d.heldOn <= addDays(day, -75));
      if (candidates.length > 0) {
        const first = random.pick(candidates);
        optingOut.add(first);
        make(day, day, { law: first.law, client: first.client });
      }
    }
  }

  // A case system sends intakes of months ago after a migration: too old to invite.
  const importDay = nextWeekday(addDays(startDay, 100));
  if (importDay < endDay) {
    for (let i = 0; i < 5; i += 1) make(addDays(startDay, -30 - i * 3), importDay);
  }

  const intakes: Intake[] = drafts.map((draft) => {
    const personas: Record<string, Persona> = {};
    for (const audience of audiencesOf(draft.law, draft.heldOn, draft.client.birthYear)) {
      const persona = personaFor(`${draft.externalId}:${audience}`, { provision: draft.provision, team: draft.team, heldOn: draft.heldOn, startDay });
      personas[audience] = optingOut.has(draft)
        ? { ...persona, respondsTo: null, otherwise: "optout", delayHours: 6 }
        : quick.has(draft)
          ? { ...persona, respondsTo: 0, satisfaction: "negative", consent: "ja", delayHours: 2 }
          : persona;
    }
    return { ...draft, personas };
  });
  return intakes;
}

function nextWeekday(day: string): string {
  let d = day;
  while (!isWeekday(d)) d = addDays(d, 1);
  return d;
}
