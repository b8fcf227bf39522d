// The ten standard Wmo questions (the national list, mandatory 2016–2020) and their answer scale, exactly as in
// docs DOMAIN.md. They are the locked core of every Wmo questionnaire version: the loader compares each
// shipped Wmo definition with this list, so trends stay comparable with earlier years and other municipalities.

export type WmoTheme = "toegang" | "kwaliteit" | "effect";

export type StandardQuestion = Readonly<{
  number: number;
  key: string;
  /** The Dutch wording, character for character. */
  text: string;
  theme: WmoTheme;
  kind: "agreement" | "yes_no";
}>;

export const WMO_STANDARD_QUESTIONS: readonly StandardQuestion[] = Object.freeze([
  { number: 1, key: "wmo_wist_waar", text: "Ik wist waar ik moest zijn met mijn hulpvraag.", theme: "toegang", kind: "agreement" },
  { number: 2, key: "wmo_snel_geholpen", text: "Ik werd snel geholpen.", theme: "toegang", kind: "agreement" },
  { number: 3, key: "wmo_serieus", text: "De medewerker nam mij serieus.", theme: "toegang", kind: "agreement" },
  {
    number: 4,
    key: "wmo_samen_oplossingen",
    text: "De medewerker en ik hebben in het gesprek samen naar oplossingen gezocht.",
    theme: "toegang",
    kind: "agreement",
  },
  {
    number: 5,
    key: "wmo_clientondersteuner",
    text: "Wist u dat u gebruik kon maken van een onafhankelijke cliëntondersteuner?",
    theme: "toegang",
    kind: "yes_no",
  },
  { number: 6, key: "wmo_kwaliteit", text: "Ik vind de kwaliteit van de ondersteuning die ik krijg goed.", theme: "kwaliteit", kind: "agreement" },
  { number: 7, key: "wmo_past", text: "De ondersteuning die ik krijg past bij mijn hulpvraag.", theme: "kwaliteit", kind: "agreement" },
  {
    number: 8,
    key: "wmo_dingen_doen",
    text: "Door de ondersteuning die ik krijg, kan ik beter de dingen doen die ik wil.",
    theme: "effect",
    kind: "agreement",
  },
  { number: 9, key: "wmo_beter_redden", text: "Door de ondersteuning die ik krijg, kan ik mij beter redden.", theme: "effect", kind: "agreement" },
  {
    number: 10,
    key: "wmo_kwaliteit_leven",
    text: "Door de ondersteuning die ik krijg, heb ik een betere kwaliteit van leven.",
    theme: "effect",
    kind: "agreement",
  },
].map((q) => Object.freeze(q as StandardQuestion)));

/** The agreement scale, in the order it is shown: the stored code and the Dutch label. */
export const AGREEMENT_SCALE: ReadonlyArray<Readonly<{ value: number; text: string }>> = Object.freeze([
  { value: 5, text: "Helemaal mee eens" },
  { value: 4, text: "Mee eens" },
  { value: 3, text: "Neutraal" },
  { value: 2, text: "Niet mee eens" },
  { value: 1, text: "Helemaal niet mee eens" },
  { value: 0, text: "Weet niet / niet van toepassing" },
]);

/** How reports read the codes: "(helemaal) mee eens" is 4 or 5 out of 1–5; 0 is left out of the denominator. */
export const AGREEMENT_CODES = Object.freeze({ agree: [4, 5], neutral: [3], disagree: [1, 2], dontKnow: [0] });

/** The yes/no question (5) and the consent question store these values. */
export const YES_NO_VALUES = Object.freeze(["ja", "nee"] as const);

/** Keys a municipality may never reuse, switch off or shadow. */
export const WMO_STANDARD_KEYS: ReadonlySet<string> = new Set(WMO_STANDARD_QUESTIONS.map((q) => q.key));
