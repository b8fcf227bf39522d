// The Dutch words of the follow-up pages, exports and messages, in one place.
import type { AttemptResult, FollowupStatus, Outcome, UrgentReason } from "./followups.queries.ts";

export const OUTCOME_LABELS: Record<Outcome, string> = {
  opgelost: "Opgelost",
  doorverwezen: "Doorverwezen",
  signaal: "Signaal aan gemeente",
  geen_actie: "Geen actie nodig",
  wil_niet: "Cliënt wil niet",
  niet_bereikt: "Niet bereikt",
};

export const RESULT_LABELS: Record<AttemptResult, string> = {
  no_answer: "Niet opgenomen",
  voicemail: "Voicemail",
  wrong_number: "Verkeerd nummer",
  callback: "Terugbellen",
  reached: "Gesproken",
};

export const STATUS_LABELS: Record<FollowupStatus, string> = {
  open: "Nog niet opgepakt",
  claimed: "Opgepakt",
  closed: "Afgesloten",
};

export const URGENT_REASON_LABELS: Record<UrgentReason, string> = {
  veiligheid: "Veiligheid: de cliënt of iemand anders is in gevaar",
  geen_zorg: "De cliënt krijgt zorg of hulp die nodig is niet",
  anders: "Iets anders dat niet tot het kwartaal kan wachten",
};

export const QUESTIONNAIRE_LABELS: Record<string, string> = {
  wmo: "Wmo",
  "jeugd-ouders": "Jeugd – ouders",
  "jeugd-jongeren": "Jeugd – jongeren",
};

/** Languages as the intake gives them (ISO 639); unknown codes show as themselves. */
export const LANGUAGE_LABELS: Record<string, string> = {
  nl: "Nederlands",
  en: "Engels",
  tr: "Turks",
  ar: "Arabisch",
  pl: "Pools",
  de: "Duits",
  fr: "Frans",
  es: "Spaans",
  uk: "Oekraïens",
  pap: "Papiaments",
  fy: "Fries",
};

export const GENERAL_TOPIC = "algemeen";

export const languageLabel = (code: string) => LANGUAGE_LABELS[code] ?? code;

const dayFormat = new Intl.DateTimeFormat("nl-NL", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "Europe/Amsterdam" });

/** "vr 9 okt 2026" in Amsterdam time: deadlines are days, not moments. */
export const formatDay = (date: Date) => dayFormat.format(date);
