// Writes the golden data set (fixture.json) for the report tests: one synthetic municipality, the third
// quarter of 2026 with exactly designed counts (so the expected figures can be checked by hand), the second
// quarter to compare with, and six earlier quarters for the trend. Seeded: running it again writes the same
// file. The numbers it is designed around are listed in tests/reports/golden.test.ts.
//
//   npx tsx tests/reports/golden/generate.ts
import { writeFileSync } from "node:fs";
import path from "node:path";

/** mulberry32: a small, well-known seeded generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(20260930);

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A list with each value repeated its count, shuffled: dealt to respondents in order. */
function deal<T>(counts: Array<[T, number]>): T[] {
  return shuffle(counts.flatMap(([value, count]) => Array.from({ length: count }, () => value)));
}

const BLANK = null;
type Code = number | string | null;

/** Codes of one statement: agree (half 5, half 4), neutral 3, disagree (2 and 1), don't know 0, blank. */
function statement(agree: number, neutral: number, disagree: number, dontKnow: number, blank: number): Code[] {
  const five = Math.floor(agree / 2);
  const two = Math.ceil(disagree / 2);
  return deal<Code>([
    [5, five],
    [4, agree - five],
    [3, neutral],
    [2, two],
    [1, disagree - two],
    [0, dontKnow],
    [BLANK, blank],
  ]);
}

function yesNo(yes: number, no: number, blank: number): Code[] {
  return deal<Code>([
    ["ja", yes],
    ["nee", no],
    [BLANK, blank],
  ]);
}

export type FixtureRespondent = {
  questionnaire: "wmo" | "jeugd-ouders" | "jeugd-jongeren";
  team: string | null;
  area: string | null;
  provision: string | null;
  birthYear: number | null;
  channel: "email" | "sms" | "letter" | "phone";
  mode?: "online" | "sms" | "code" | "paper" | "phone";
  heldOn: string;
  invitedAt: string;
  completedAt?: string;
  startedOnly?: boolean;
  opened?: boolean;
  delivery: "delivered" | "bounced";
  answers?: Record<string, Code>;
};

export type FixtureFollowup = {
  respondent: number;
  outcome: string | null;
  attempts: Array<{ at: string; result: string }>;
  deadlineAt: string;
  themes: string[];
  urgent: boolean;
};

export type Fixture = {
  municipality: { code: string; name: string };
  customisation: unknown;
  now: string;
  respondents: FixtureRespondent[];
  skipped: Array<{ heldOn: string; reason: string; team: string }>;
  followups: FixtureFollowup[];
  quotes: Array<{ respondent: number; source: "followup" | "answer"; text: string; status: "approved" | "pending" | "rejected" }>;
};

const DAY = 86_400_000;
const Q3_START = Date.parse("2026-07-01T08:00:00Z");
const Q3_DAYS = 88;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function day(ms: number): string {
  return iso(ms).slice(0, 10);
}

/** A moment in the quarter starting at `start` (ms), spread over `days`, at a varying hour of the working day. */
function momentIn(start: number, days: number): number {
  return start + Math.floor(random() * days) * DAY + Math.floor(random() * 8) * 3_600_000;
}

const WMO_STATEMENTS = [
  "wmo_wist_waar",
  "wmo_snel_geholpen",
  "wmo_serieus",
  "wmo_samen_oplossingen",
  "wmo_clientondersteuner",
  "wmo_kwaliteit",
  "wmo_past",
  "wmo_dingen_doen",
  "wmo_beter_redden",
  "wmo_kwaliteit_leven",
];
const JEUGD_STATEMENTS = ["jeugd_makkelijk_hulp", "jeugd_hulp_past", "jeugd_veilig_gezond", "jeugd_zelfstandig", "jeugd_beter_omgaan", "jeugd_meedoen"];

function answersOf(columns: Record<string, Code[]>, i: number): Record<string, Code> {
  const answers: Record<string, Code> = {};
  for (const [key, codes] of Object.entries(columns)) {
    const value = codes[i];
    if (value !== null && value !== undefined) answers[key] = value;
  }
  return answers;
}

function generate(): Fixture {
  const respondents: FixtureRespondent[] = [];

  // --- 2026-Q3, Wmo: 120 completed questionnaires ---------------------------------------------------------
  const wmo = 120;
  const wmoColumns: Record<string, Code[]> = {
    wmo_wist_waar: statement(84, 24, 12, 0, 0), // 84 / 120 = 70.0 %
    wmo_snel_geholpen: statement(60, 20, 25, 10, 5), // 60 / 105 = 57.1 %; blank 5 small → don't know 10 hidden as well
    wmo_serieus: statement(100, 10, 5, 3, 2), // 100 / 115 = 87.0 %
    wmo_samen_oplossingen: statement(72, 18, 18, 12, 0), // 72 / 108 = 66.7 %
    wmo_clientondersteuner: yesNo(45, 70, 5), // 45 / 115 = 39.1 % ja
    wmo_kwaliteit: statement(90, 15, 10, 5, 0), // 90 / 115 = 78.3 %
    wmo_past: statement(85, 20, 10, 5, 0), // 85 / 115 = 73.9 %
    wmo_dingen_doen: statement(60, 25, 15, 15, 5), // 60 / 100 = 60.0 %
    wmo_beter_redden: statement(66, 22, 12, 20, 0), // 66 / 100 = 66.0 %
    wmo_kwaliteit_leven: statement(55, 30, 15, 20, 0), // 55 / 100 = 55.0 %
    rapportcijfer: deal<Code>([
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 10],
      [7, 30],
      [8, 40],
      [9, 15],
      [10, 5],
      [BLANK, 10],
    ]),
    ingevuld_door: deal<Code>([
      ["ikzelf", 83],
      ["ikzelf_met_hulp", 25],
      ["iemand_anders", 7],
      [BLANK, 5],
    ]),
    gemeente_wachttijd_bekend: deal<Code>([
      ["ja", 70],
      ["nee", 40],
      [BLANK, 10],
    ]),
    contact_toestemming: deal<Code>([
      ["ja", 70],
      ["nee", 50],
    ]),
  };
  const teams = deal<string>([
    ["Sociaal Team Noord", 60],
    ["Sociaal Team Zuid", 41],
    ["Wijkteam Oost", 12],
    ["Wijkteam Centrum", 7],
  ]);
  const areas = deal<string>([
    ["Centrum", 50],
    ["Dorp", 40],
    ["Buitengebied", 30],
  ]);
  const provisions = deal<string>([
    ["huishoudelijke hulp", 55],
    ["begeleiding", 40],
    ["vervoer", 25],
  ]);
  const births = deal<number>([
    [1970, 20],
    [1955, 35],
    [1946, 45],
    [1935, 20],
  ]);
  const modes = deal<"online" | "sms" | "code" | "paper" | "phone">([
    ["online", 70],
    ["sms", 20],
    ["code", 18],
    ["paper", 8],
    ["phone", 4],
  ]);
  const channelOf = { online: "email", sms: "sms", code: "letter", paper: "letter", phone: "phone" } as const;
  for (let i = 0; i < wmo; i++) {
    const completed = momentIn(Q3_START + 3 * DAY, Q3_DAYS - 5);
    const invited = completed - (1 + Math.floor(random() * 3)) * DAY;
    respondents.push({
      questionnaire: "wmo",
      team: teams[i]!,
      area: areas[i]!,
      provision: provisions[i]!,
      birthYear: births[i]!,
      channel: channelOf[modes[i]!],
      mode: modes[i]!,
      heldOn: day(invited - 21 * DAY > Q3_START ? invited - 21 * DAY : Q3_START),
      invitedAt: iso(invited),
      completedAt: iso(completed),
      delivery: "delivered",
      answers: answersOf(wmoColumns, i),
    });
  }

  // --- 2026-Q3, Jeugd: 30 parents, 12 young people -------------------------------------------------------
  const jeugdOf = (count: number, columns: Record<string, Code[]>, questionnaire: "jeugd-ouders" | "jeugd-jongeren", channels: Array<"email" | "sms">, births: number[]) => {
    for (let i = 0; i < count; i++) {
      const completed = momentIn(Q3_START + 3 * DAY, Q3_DAYS - 5);
      const invited = completed - 2 * DAY;
      const channel = channels[i]!;
      respondents.push({
        questionnaire,
        team: "Jeugdteam",
        area: i % 2 === 0 ? "Centrum" : "Dorp",
        provision: "jeugdhulp ambulant",
        birthYear: births[i]!,
        channel,
        mode: channel === "email" ? "online" : "sms",
        heldOn: day(Q3_START),
        invitedAt: iso(invited),
        completedAt: iso(completed),
        delivery: "delivered",
        answers: answersOf(columns, i),
      });
    }
  };
  jeugdOf(
    30,
    {
      jeugd_makkelijk_hulp: statement(18, 6, 6, 0, 0), // 18 / 30 = 60.0 %
      jeugd_hulp_past: statement(20, 4, 4, 2, 0), // 20 / 28 = 71.4 %
      jeugd_veilig_gezond: statement(15, 5, 5, 5, 0), // 15 / 25 = 60.0 %
      jeugd_zelfstandig: statement(12, 6, 6, 6, 0), // 12 / 24 = 50.0 %
      jeugd_beter_omgaan: statement(21, 5, 4, 0, 0), // 21 / 30 = 70.0 %
      jeugd_meedoen: statement(9, 6, 5, 10, 0), // 9 / 20 = 45.0 %
      contact_toestemming: deal<Code>([["nee", 30]]),
    },
    "jeugd-ouders",
    deal<"email" | "sms">([
      ["email", 20],
      ["sms", 10],
    ]),
    deal<number>([
      [2022, 10],
      [2017, 10],
      [2012, 10],
    ]),
  );
  jeugdOf(
    12,
    {
      jeugd_makkelijk_hulp: statement(8, 2, 2, 0, 0), // 8 / 12 = 66.7 %
      jeugd_hulp_past: statement(6, 2, 1, 3, 0), // n = 9: hidden
      jeugd_veilig_gezond: statement(7, 3, 2, 0, 0),
      jeugd_zelfstandig: statement(6, 4, 2, 0, 0),
      jeugd_beter_omgaan: statement(9, 2, 1, 0, 0),
      jeugd_meedoen: statement(5, 4, 3, 0, 0),
    },
    "jeugd-jongeren",
    Array.from({ length: 12 }, () => "sms" as const),
    deal<number>([
      [2010, 6],
      [2006, 6],
    ]),
  );

  // --- 2026-Q3: invited without a completed questionnaire ---------------------------------------------------
  // Per channel (completed above: e-mail 90, sms 42, letter 26, phone 4) the designed funnel is
  //   e-mail  invited 150, delivered 140, bounced 10, opened 110, started 95, completed 90
  //   sms     invited  62, delivered  60, bounced  2, opened  48, started 45, completed 42
  //   letter  invited  50, delivered  50, bounced  0, opened  30, started 28, completed 26
  //   phone   invited   7, delivered   7, bounced  0, opened   4, started  4, completed  4
  const extra = (channel: FixtureRespondent["channel"], bounced: number, openedOnly: number, startedOnly: number, deliveredOnly: number) => {
    const rows: Array<Partial<FixtureRespondent>> = [
      ...Array.from({ length: bounced }, () => ({ delivery: "bounced" as const })),
      ...Array.from({ length: openedOnly }, () => ({ delivery: "delivered" as const, opened: true })),
      ...Array.from({ length: startedOnly }, () => ({ delivery: "delivered" as const, startedOnly: true })),
      ...Array.from({ length: deliveredOnly }, () => ({ delivery: "delivered" as const })),
    ];
    for (const row of rows) {
      const invited = momentIn(Q3_START, Q3_DAYS - 2);
      const startedOnly = row.startedOnly === true;
      respondents.push({
        questionnaire: "wmo",
        team: ["Sociaal Team Noord", "Sociaal Team Zuid", "Wijkteam Oost"][Math.floor(random() * 3)]!,
        area: ["Centrum", "Dorp", "Buitengebied"][Math.floor(random() * 3)]!,
        provision: ["huishoudelijke hulp", "begeleiding", "vervoer"][Math.floor(random() * 3)]!,
        birthYear: [1970, 1955, 1946, 1935][Math.floor(random() * 4)]!,
        channel,
        heldOn: day(invited - 21 * DAY > Q3_START ? invited - 21 * DAY : Q3_START),
        invitedAt: iso(invited),
        ...(startedOnly ? { completedAt: iso(invited + DAY), startedOnly: true, mode: channel === "sms" ? "sms" : channel === "letter" ? "code" : channel === "phone" ? "phone" : "online", answers: { wmo_wist_waar: 4 } } : {}),
        opened: row.opened ?? false,
        delivery: row.delivery!,
      });
    }
  };
  extra("email", 10, 15, 5, 30);
  extra("sms", 2, 3, 3, 12);
  extra("letter", 0, 2, 2, 20);
  extra("phone", 0, 0, 0, 3);

  // --- 2026-Q2 (the previous period): Wmo 100, Jeugd parents 20, young people 8 -----------------------------
  const Q2_START = Date.parse("2026-04-01T08:00:00Z");
  const previous: Record<string, Code[]> = Object.fromEntries(WMO_STATEMENTS.map((key) => [key, key === "wmo_clientondersteuner" ? yesNo(40, 60, 0) : statement(55, 25, 20, 0, 0)]));
  previous.rapportcijfer = deal<Code>([[7, 100]]);
  for (let i = 0; i < 100; i++) {
    const completed = momentIn(Q2_START + 2 * DAY, 85);
    respondents.push({
      questionnaire: "wmo",
      team: i < 50 ? "Sociaal Team Noord" : "Sociaal Team Zuid",
      area: "Centrum",
      provision: "begeleiding",
      birthYear: 1950,
      channel: "email",
      mode: "online",
      heldOn: day(Q2_START),
      invitedAt: iso(completed - DAY),
      completedAt: iso(completed),
      delivery: "delivered",
      answers: answersOf(previous, i),
    });
  }
  for (const [questionnaire, count] of [
    ["jeugd-ouders", 20],
    ["jeugd-jongeren", 8],
  ] as const) {
    const columns: Record<string, Code[]> = Object.fromEntries(JEUGD_STATEMENTS.map((key) => [key, statement(count / 2, count / 4, count / 4, 0, 0)]));
    for (let i = 0; i < count; i++) {
      const completed = momentIn(Q2_START + 2 * DAY, 85);
      respondents.push({
        questionnaire,
        team: "Jeugdteam",
        area: "Centrum",
        provision: "jeugdhulp ambulant",
        birthYear: 2012,
        channel: "email",
        mode: "online",
        heldOn: day(Q2_START),
        invitedAt: iso(completed - DAY),
        completedAt: iso(completed),
        delivery: "delivered",
        answers: answersOf(columns, i),
      });
    }
  }

  // --- the six quarters before (trend): Wmo 40 each, 60 % agreeing with every statement; 2025-Q1 only 8 --------
  for (const [start, count] of [
    ["2024-10-01", 40],
    ["2025-01-01", 8],
    ["2025-04-01", 40],
    ["2025-07-01", 40],
    ["2025-10-01", 40],
    ["2026-01-01", 40],
  ] as const) {
    const begin = Date.parse(`${start}T08:00:00Z`);
    const columns: Record<string, Code[]> = Object.fromEntries(
      WMO_STATEMENTS.map((key) => [key, key === "wmo_clientondersteuner" ? yesNo(count / 2, count / 2, 0) : statement((count * 3) / 5, 0, (count * 2) / 5, 0, 0)]),
    );
    columns.rapportcijfer = deal<Code>([[7, count]]);
    for (let i = 0; i < count; i++) {
      const completed = momentIn(begin + 2 * DAY, 80);
      respondents.push({
        questionnaire: "wmo",
        team: "Sociaal Team Noord",
        area: "Centrum",
        provision: "begeleiding",
        birthYear: 1950,
        channel: "email",
        mode: "online",
        heldOn: start,
        invitedAt: iso(completed - DAY),
        completedAt: iso(completed),
        delivery: "delivered",
        answers: answersOf(columns, i),
      });
    }
  }

  // --- intakes without an invitation (Q3): 12 recently invited, 3 opted out, 6 unreachable --------------------
  const skipped = [
    ...Array.from({ length: 12 }, () => "fatigue"),
    ...Array.from({ length: 3 }, () => "opted_out"),
    ...Array.from({ length: 6 }, () => "unreachable"),
  ].map((reason) => ({ heldOn: day(momentIn(Q3_START, Q3_DAYS)), reason, team: "Sociaal Team Noord" }));

  // --- follow-ups of the first 60 Wmo respondents of Q3 --------------------------------------------------------
  // outcomes: opgelost 20, doorverwezen 12, signaal 5, geen_actie 6, wil_niet 2 (reached: 45), niet_bereikt 9, open 6;
  // first attempt on time 50, late 4, not yet (deadline after the report date) 6; 3 urgent.
  const outcomes = deal<string | null>([
    ["opgelost", 20],
    ["doorverwezen", 12],
    ["signaal", 5],
    ["geen_actie", 6],
    ["wil_niet", 2],
    ["niet_bereikt", 9],
    [null, 6],
  ]);
  const themeSets = [
    ...Array.from({ length: 12 }, () => ["wachttijd", "bereikbaarheid"]),
    ...Array.from({ length: 6 }, () => ["wachttijd"]),
    ...Array.from({ length: 3 }, () => ["bereikbaarheid"]),
    ...Array.from({ length: 12 }, () => ["bejegening"]),
    ...Array.from({ length: 9 }, () => ["communicatie"]),
    ...Array.from({ length: 3 }, () => ["eigen_bijdrage"]),
  ]; // 45 sets for the reached: wachttijd 18, bereikbaarheid 15, bejegening 12, communicatie 9, eigen_bijdrage 3
  const followups: FixtureFollowup[] = [];
  let reachedIndex = 0;
  let attempted = 0;
  const lateOnes = new Set<number>();
  const urgentOnes = new Set<number>();
  outcomes.forEach((outcome, i) => {
    const completed = Date.parse(respondents[i]!.completedAt!);
    const deadline = completed + 7 * DAY;
    if (outcome === null) {
      // Not attempted yet; the deadline falls after the report date.
      followups.push({ respondent: i, outcome: null, attempts: [], deadlineAt: "2026-10-09T15:00:00.000Z", themes: [], urgent: false });
      return;
    }
    const late = attempted < 4;
    attempted += 1;
    if (late) lateOnes.add(i);
    const first = late ? deadline + DAY : completed + DAY;
    const reached = outcome !== "niet_bereikt";
    const attempts = reached
      ? [{ at: iso(first), result: "reached" }]
      : [
          { at: iso(first), result: "no_answer" },
          { at: iso(first + DAY), result: "voicemail" },
          { at: iso(first + 2 * DAY), result: "no_answer" },
        ];
    const urgent = outcome === "signaal" && urgentOnes.size < 3;
    if (urgent) urgentOnes.add(i);
    followups.push({ respondent: i, outcome, attempts, deadlineAt: iso(deadline), themes: reached ? themeSets[reachedIndex++]! : [], urgent });
  });

  const quotes: Fixture["quotes"] = [
    { respondent: 0, source: "followup", text: "Ik moest drie keer bellen voordat iemand terugbelde.", status: "approved" },
    { respondent: 1, source: "followup", text: "De hulp thuis is fijn, maar de wachttijd was lang.", status: "approved" },
    { respondent: 70, source: "answer", text: "=HYPERLINK(\"http://example.test\") zonder opmaak graag", status: "approved" },
    { respondent: 2, source: "followup", text: "Nog niet gecontroleerd citaat.", status: "pending" },
    { respondent: 3, source: "followup", text: "Afgewezen citaat met een naam.", status: "rejected" },
  ];

  return {
    municipality: { code: "GM9977", name: "Goudriaan" },
    customisation: {
      extraQuestions: [
        {
          type: "radiogroup",
          name: "gemeente_wachttijd_bekend",
          title: { default: "Wist u hoe lang het zou duren voordat u hulp kreeg?", en: "Did you know how long it would take?" },
          choices: [
            { value: "ja", text: { default: "Ja", en: "Yes" } },
            { value: "nee", text: { default: "Nee", en: "No" } },
          ],
        },
      ],
    },
    now: "2026-10-05T10:00:00.000Z",
    respondents,
    skipped,
    followups,
    quotes,
  };
}

const fixture = generate();
const file = path.join(import.meta.dirname, "fixture.json");
writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
process.stderr.write(`${file}: ${fixture.respondents.length} invited, ${fixture.followups.length} follow-ups\n`);
