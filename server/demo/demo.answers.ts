// Answers as Voorbeeldstad's clients give them: mostly positive (statements 4–5, grades 7–8), about one in eight
// dissatisfied (1–2 on several statements, a grade of 5 or lower), some "weet niet", blanks on the optional
// questions, who filled it in, now and then an open answer in plain synthetic Dutch, consent yes or no. Two
// stories run through the year: waiting times ("Ik werd snel geholpen") improve after the first months, and
// more clients learn about the independent client adviser.
import type { Persona, Satisfaction } from "./demo.population.ts";
import { randomFor, type Random } from "./demo.random.ts";
import { IMPROVEMENTS, JEUGD_FURTHER, JEUGD_GOOD } from "./demo.texts.ts";

const WMO_STATEMENTS = [
  "wmo_wist_waar",
  "wmo_snel_geholpen",
  "wmo_serieus",
  "wmo_samen_oplossingen",
  "wmo_kwaliteit",
  "wmo_past",
  "wmo_dingen_doen",
  "wmo_beter_redden",
  "wmo_kwaliteit_leven",
] as const;
const JEUGD_STATEMENTS = ["jeugd_makkelijk_hulp", "jeugd_hulp_past", "jeugd_veilig_gezond", "jeugd_zelfstandig", "jeugd_beter_omgaan", "jeugd_meedoen"] as const;
const EFFECT = new Set(["wmo_dingen_doen", "wmo_beter_redden", "wmo_kwaliteit_leven", "jeugd_zelfstandig", "jeugd_meedoen"]);

// Dissatisfied clients give 1–2 on several statements; the others almost never do, so about one respondent in
// seven has a 1 or 2 somewhere (and may get a follow-up conversation).
const SCALE: Record<Satisfaction, Array<[number, number]>> = {
  positive: [[5, 41], [4, 49], [3, 5.9], [2, 0.1], [1, 0.03], [0, 4]],
  mixed: [[5, 8], [4, 40], [3, 43], [2, 3], [1, 0.5], [0, 5.5]],
  negative: [[5, 4], [4, 12], [3, 20], [2, 32], [1, 25], [0, 7]],
};
const GRADE: Record<Satisfaction, Array<[number, number]>> = {
  positive: [[6, 9], [7, 30], [8, 42], [9, 14], [10, 5]],
  mixed: [[5, 12], [6, 38], [7, 38], [8, 12]],
  negative: [[2, 5], [3, 12], [4, 25], [5, 35], [6, 18], [7, 5]],
};

export type AnswerContext = {
  /** Months since the start of the demo year (0 … 12): the stories depend on it. */
  month: number;
  /** Whether a phone number is known: otherwise a client who consents types one. */
  phoneKnown: boolean;
  /** The client's own synthetic mobile number (06-12…), typed as call-back number. */
  callbackNumber: string;
};

function statement(random: Random, key: string, satisfaction: Satisfaction, month: number): number | undefined {
  if (random.chance(0.025)) return undefined;
  let value = random.weighted(SCALE[satisfaction]);
  if (EFFECT.has(key) && value > 0 && random.chance(0.04)) value = 0;
  // Waiting times were long at the start of the year and improved after the team was reinforced: fewer agreed.
  if (key === "wmo_snel_geholpen" || key === "jeugd_makkelijk_hulp") {
    const lower = month <= 4 ? 0.3 : month <= 7 ? 0.12 : 0.04;
    if (value >= 4 && random.chance(lower)) value = 3;
  }
  return value;
}

function pickText(random: Random, texts: readonly string[]): string {
  return random.pick(texts);
}

/** A complete response to the questionnaire for this audience; `partial` gives what a client who stopped early left. */
export function answersFor(questionnaire: string, persona: Persona, context: AnswerContext, partial = false): Record<string, unknown> {
  const random = randomFor(`${persona.seed}:answers`);
  const answers: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) answers[key] = value;
  };
  const { satisfaction } = persona;
  if (questionnaire === "wmo") {
    const keys = partial ? WMO_STATEMENTS.slice(0, random.int(2, 5)) : WMO_STATEMENTS;
    for (const key of keys.slice(0, 4)) set(key, statement(random, key, satisfaction, context.month));
    if (partial) return answers;
    // More clients know about the independent client adviser as the year goes on.
    set("wmo_clientondersteuner", random.chance(0.05) ? undefined : random.chance(context.month <= 5 ? 0.38 : 0.55) ? "ja" : "nee");
    for (const key of keys.slice(4)) set(key, statement(random, key, satisfaction, context.month));
    set("rapportcijfer", random.chance(0.04) ? undefined : random.weighted(GRADE[satisfaction]));
    const improvement = { positive: 0.12, mixed: 0.45, negative: 0.7 }[satisfaction];
    if (random.chance(improvement)) set("verbetering", pickText(random, IMPROVEMENTS[satisfaction]));
    set("ingevuld_door", random.weighted<string>([["ikzelf", 58], ["ikzelf_met_hulp", 26], ["iemand_anders", 13], ["", 3]]) || undefined);
  } else {
    const keys = partial ? JEUGD_STATEMENTS.slice(0, random.int(2, 4)) : JEUGD_STATEMENTS;
    for (const key of keys) set(key, statement(random, key, satisfaction, context.month));
    if (partial) return answers;
    if (random.chance({ positive: 0.5, mixed: 0.35, negative: 0.15 }[satisfaction])) set("jeugd_goed", pickText(random, JEUGD_GOOD));
    if (random.chance({ positive: 0.15, mixed: 0.45, negative: 0.65 }[satisfaction])) set("jeugd_beter", pickText(random, IMPROVEMENTS[satisfaction === "positive" ? "mixed" : satisfaction]));
    if (random.chance(0.08)) set("jeugd_verder", pickText(random, JEUGD_FURTHER));
  }
  if (persona.consent) {
    set("contact_toestemming", persona.consent);
    if (persona.consent === "ja" && !context.phoneKnown) set("contact_telefoon", context.callbackNumber);
  }
  return answers;
}
