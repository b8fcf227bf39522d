// What the journey test does, written down before it does it: the intakes it imports, what each client does
// with the invitation (complete it in Chromium, complete it over HTTP with known answers, only start, only
// open, or nothing), the answers, and the follow-ups the interviewers work. The report figures the test expects
// are computed here from that plan with DOMAIN.md's definitions, independently of the report code; where the
// small-number rule hides a figure, the expectation says which label it shows and why.
import { csvText, HEADER, type Row } from "../intake/csv-fixtures.ts";

/** The municipality's threshold, set to the legal minimum through the report settings. */
export const THRESHOLD = 5;
export const SMALL = `< ${THRESHOLD}`;
export const COMPLEMENTARY = "×";

export type Channel = "email" | "sms" | "letter";
/** browser: in Chromium; complete: over HTTP; start: saves progress only; open: opens the link only. */
export type Act = "browser" | "complete" | "start" | "open" | "none";
export type Answers = Record<string, string | number>;
export type Client = { key: string; channel: Channel; act: Act; answers?: Answers; row: Row };

export const TEAM = "Sociaal Team Noord";
export const AREA = "Centrum";
export const PROVISION = "huishoudelijke hulp";
/** Everyone is 78 in the year of the report: one age band (75–84), whatever year the test runs in. */
export const AGE = 78;

/** What the three respondents in Chromium click: dissatisfied, with consent. */
export const BROWSER_CLICKS = {
  page1: [
    ["Ik wist waar ik moest zijn", "Mee eens"],
    ["Ik werd snel geholpen", "Helemaal niet mee eens"],
    ["De medewerker nam mij serieus", "Niet mee eens"],
    ["samen naar oplossingen gezocht", "Neutraal"],
  ],
  page2: [
    ["Ik vind de kwaliteit", "Niet mee eens"],
    ["past bij mijn hulpvraag", "Neutraal"],
  ],
  grade: "4",
} as const;
/** The same, as stored (the phone number typed on the consent page goes to the contact data, not the answers). */
export const BROWSER_ANSWERS: Answers = {
  wmo_wist_waar: 4,
  wmo_snel_geholpen: 1,
  wmo_serieus: 2,
  wmo_samen_oplossingen: 3,
  wmo_kwaliteit: 2,
  wmo_past: 3,
  rapportcijfer: 4,
  contact_toestemming: "ja",
};

/** Dissatisfied and agrees to be called: a follow-up. */
const DISSATISFIED: Answers = {
  wmo_wist_waar: 2,
  wmo_snel_geholpen: 1,
  wmo_serieus: 3,
  wmo_samen_oplossingen: 2,
  wmo_kwaliteit: 2,
  wmo_past: 3,
  wmo_dingen_doen: 3,
  wmo_beter_redden: 2,
  wmo_kwaliteit_leven: 3,
  rapportcijfer: 5,
  ingevuld_door: "ikzelf_met_hulp",
  contact_toestemming: "ja",
};
/** Dissatisfied, but no consent: no follow-up. */
const NO_CONSENT: Answers = {
  wmo_wist_waar: 1,
  wmo_snel_geholpen: 2,
  wmo_serieus: 2,
  wmo_samen_oplossingen: 1,
  wmo_clientondersteuner: "ja",
  wmo_kwaliteit: 1,
  wmo_past: 2,
  wmo_dingen_doen: 2,
  wmo_beter_redden: 1,
  wmo_kwaliteit_leven: 2,
  rapportcijfer: 3,
  contact_toestemming: "nee",
};
const SATISFIED_GRADES = [8, 9, 7, 8, 10, 8, 7, 9, 8];
function satisfied(i: number): Answers {
  return {
    wmo_wist_waar: 5,
    wmo_snel_geholpen: 4,
    wmo_serieus: 5,
    // Two say "weet niet" to the fourth statement; one answers question 5.
    wmo_samen_oplossingen: i < 2 ? 0 : 4,
    ...(i === 0 ? { wmo_clientondersteuner: "ja" } : {}),
    wmo_kwaliteit: 4,
    wmo_past: 5,
    wmo_dingen_doen: 4,
    wmo_beter_redden: 4,
    wmo_kwaliteit_leven: 5,
    rapportcijfer: SATISFIED_GRADES[i]!,
    ingevuld_door: "ikzelf",
    contact_toestemming: "nee",
  };
}

/**
 * The population: 16 clients by e-mail, 8 by SMS, 6 by letter. Per channel, in order: one in Chromium, the
 * HTTP completions, then the ones who only start or open, then the ones who do nothing.
 */
export function population(heldOn: (i: number) => string, birthYear: number): Client[] {
  const clients: Client[] = [];
  let satisfiedCount = 0;
  const base = (key: string, i: number): Row => ({
    gesprek_id: `KTG-REIS-${key}`,
    client_id: `C-REIS-${key}`,
    wet: "wmo",
    gespreksdatum: heldOn(i),
    team: TEAM,
    wijk: AREA,
    voorziening: PROVISION,
    geboortejaar: String(birthYear),
    taal: "nl",
  });
  const add = (channel: Channel, act: Act, answers?: Answers | "satisfied") => {
    const i = clients.length;
    const n = clients.filter((c) => c.channel === channel).length + 1;
    const key = `${channel[0]!.toUpperCase()}${String(n).padStart(2, "0")}`;
    const row: Row = { ...base(key, i) };
    if (channel === "email") Object.assign(row, { email: `client.${key.toLowerCase()}@example.test`, voorkeur_kanaal: "email" });
    if (channel === "sms") Object.assign(row, { mobiel: `06-120000${String(n).padStart(2, "0")}`, voorkeur_kanaal: "sms" });
    if (channel === "letter") Object.assign(row, { straat: "Proefstraat", huisnummer: String(n), postcode: "9999 ZZ", woonplaats: "Voorbeeldstad", voorkeur_kanaal: "brief" });
    const resolved = answers === "satisfied" ? satisfied(satisfiedCount++) : answers;
    // E-mail and letter clients have no known phone number: the consent page asks for one.
    const withPhone = resolved?.contact_toestemming === "ja" && channel !== "sms" ? { ...resolved, contact_telefoon: `06-2400${String(i).padStart(4, "0")}` } : resolved;
    clients.push({ key, channel, act, answers: act === "browser" ? BROWSER_ANSWERS : withPhone, row });
  };
  add("email", "browser");
  for (let k = 0; k < 5; k++) add("email", "complete", DISSATISFIED);
  for (let k = 0; k < 2; k++) add("email", "complete", NO_CONSENT);
  for (let k = 0; k < 4; k++) add("email", "complete", "satisfied");
  add("email", "start", { wmo_wist_waar: 4, wmo_snel_geholpen: 4 });
  add("email", "open");
  add("email", "none");
  add("email", "none");
  add("sms", "browser");
  for (let k = 0; k < 2; k++) add("sms", "complete", DISSATISFIED);
  for (let k = 0; k < 3; k++) add("sms", "complete", "satisfied");
  add("sms", "none");
  add("sms", "none");
  add("letter", "browser");
  for (let k = 0; k < 2; k++) add("letter", "complete", "satisfied");
  for (let k = 0; k < 3; k++) add("letter", "none");
  return clients;
}

/** Two rows the import must refuse, with their reasons: a date that does not exist, and no way to reach the client. */
export function badRows(heldOn: string): Row[] {
  return [
    { gesprek_id: "KTG-REIS-FOUT1", client_id: "C-REIS-FOUT1", wet: "wmo", gespreksdatum: "31-02-2026", email: "fout.een@example.test" },
    { gesprek_id: "KTG-REIS-FOUT2", client_id: "C-REIS-FOUT2", wet: "wmo", gespreksdatum: heldOn },
  ];
}

/** The CSV as a case system exports it: semicolons, Dutch dates, CRLF, a BOM. */
export function csvOf(clients: Client[], bad: Row[]): Buffer {
  const dutch = (iso: string | undefined) => (iso && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.split("-").reverse().join("-") : iso);
  const rows = [...clients.map((c) => c.row), ...bad].map((r) => ({ ...r, gespreksdatum: dutch(r.gespreksdatum) }));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvText(rows, { header: HEADER }), "utf8")]);
}

// --- the expected report ---------------------------------------------------------------------------------------

/** A figure as published: a count, or the label of a hidden one. */
export type Shown = number | typeof SMALL | typeof COMPLEMENTARY;

const round1 = (value: number) => Math.floor(value * 10 + 0.5 + 1e-9) / 10;
const pct = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);
const small = (count: number): Shown => (count < THRESHOLD ? SMALL : count);

export const STATEMENTS = [
  { key: "wmo_wist_waar", kind: "agreement", theme: "toegang" },
  { key: "wmo_snel_geholpen", kind: "agreement", theme: "toegang" },
  { key: "wmo_serieus", kind: "agreement", theme: "toegang" },
  { key: "wmo_samen_oplossingen", kind: "agreement", theme: "toegang" },
  { key: "wmo_clientondersteuner", kind: "yes_no", theme: "toegang" },
  { key: "wmo_kwaliteit", kind: "agreement", theme: "kwaliteit" },
  { key: "wmo_past", kind: "agreement", theme: "kwaliteit" },
  { key: "wmo_dingen_doen", kind: "agreement", theme: "effect" },
  { key: "wmo_beter_redden", kind: "agreement", theme: "effect" },
  { key: "wmo_kwaliteit_leven", kind: "agreement", theme: "effect" },
] as const;

/** Wilson's 95 % interval, in percent with one decimal (DOMAIN.md). */
function wilson(x: number, n: number): { low: number; high: number } {
  const z = 1.959963984540054;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: round1(Math.max(0, centre - half) * 100), high: round1(Math.min(1, centre + half) * 100) };
}

export type ExpectedStatement = { key: string; n: Shown; pct: number | null; dontKnow: Shown | null; ci: { low: number; high: number } | null };

/** Per statement: n (answers that count), % (helemaal) mee eens or % ja, "weet niet", from the answers given. */
export function expectedStatements(completed: Answers[]): ExpectedStatement[] {
  return STATEMENTS.map((s) => {
    const values = completed.map((a) => a[s.key]).filter((v) => v !== undefined);
    if (s.kind === "yes_no") {
      const valid = values.filter((v) => v === "ja" || v === "nee").length;
      const yes = values.filter((v) => v === "ja").length;
      const shown = valid >= THRESHOLD;
      return { key: s.key, n: small(valid), pct: shown ? round1(pct(yes, valid)) : null, dontKnow: null, ci: shown ? wilson(yes, valid) : null };
    }
    const valid = values.filter((v) => typeof v === "number" && v >= 1 && v <= 5).length;
    const agree = values.filter((v) => v === 4 || v === 5).length;
    const dontKnow = values.filter((v) => v === 0).length;
    const shown = valid >= THRESHOLD;
    return { key: s.key, n: small(valid), pct: shown ? round1(pct(agree, valid)) : null, dontKnow: small(dontKnow), ci: shown ? wilson(agree, valid) : null };
  });
}

/** Themes: the mean of their agreement statements' percentages (unrounded), shown only when all of them are. */
export function expectedThemes(completed: Answers[]): Record<string, number | null> {
  const exact = new Map<string, number | null>();
  for (const s of STATEMENTS) {
    if (s.kind !== "agreement") continue;
    const values = completed.map((a) => a[s.key]).filter((v): v is number => typeof v === "number");
    const valid = values.filter((v) => v >= 1 && v <= 5).length;
    exact.set(s.key, valid >= THRESHOLD ? pct(values.filter((v) => v >= 4).length, valid) : null);
  }
  const themes: Record<string, number | null> = {};
  for (const theme of ["toegang", "kwaliteit", "effect"]) {
    const members = STATEMENTS.filter((s) => s.kind === "agreement" && s.theme === theme).map((s) => exact.get(s.key));
    themes[theme] = members.every((v): v is number => typeof v === "number") ? round1(members.reduce((a, b) => a + b, 0) / members.length) : null;
  }
  return themes;
}

export function expectedGrade(completed: Answers[]): { n: number; mean: number; sufficientPct: number; distribution: Shown[] } {
  const grades = completed.map((a) => a.rapportcijfer).filter((v): v is number => typeof v === "number");
  const distribution = Array.from({ length: 10 }, (_, i) => grades.filter((g) => g === i + 1).length);
  const sufficient = grades.filter((g) => g >= 6).length;
  return {
    n: grades.length,
    mean: round1(grades.reduce((a, b) => a + b, 0) / grades.length),
    sufficientPct: round1(pct(sufficient, grades.length)),
    // More than one grade is hidden, so the complementary rule adds nothing here.
    distribution: distribution.map(small),
  };
}

/** The funnel per channel, from what each client did; hidden cells as the suppression rule hides them. */
export function expectedFunnel(clients: Client[]) {
  const count = (channel: Channel | "all", acts: Act[]) => clients.filter((c) => (channel === "all" || c.channel === channel) && acts.includes(c.act)).length;
  const line = (channel: Channel | "all") => ({
    invited: count(channel, ["browser", "complete", "start", "open", "none"]),
    delivered: count(channel, ["browser", "complete", "start", "open", "none"]),
    opened: count(channel, ["browser", "complete", "start", "open"]),
    started: count(channel, ["browser", "complete", "start"]),
    completed: count(channel, ["browser", "complete"]),
  });
  return { email: line("email"), sms: line("sms"), letter: line("letter"), total: line("all") };
}
