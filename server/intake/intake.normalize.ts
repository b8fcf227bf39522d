// Turning what case systems and Excel exports send into one clean form: Dutch or ISO dates, Dutch mobile
// numbers in E.164, postcodes as "1234 AB", and Dutch words for laws, channels and languages.
// Each function returns the clean value, or a Dutch reason why the value cannot be used.
import { amsterdamDate } from "../time.ts";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Normalized<T> => ({ ok: true, value });
const bad = (reason: string): Normalized<never> => ({ ok: false, reason });

export const LAWS = ["wmo", "jeugd"] as const;
export type Law = (typeof LAWS)[number];

export const CHANNELS = ["email", "sms", "letter", "phone"] as const;
export type Channel = (typeof CHANNELS)[number];

/** The first day a conversation may have been held: the Wmo 2015 and Jeugdwet took effect in 2015. */
export const EARLIEST_DATE = "2015-01-01";

/** Today's date in the Netherlands, as YYYY-MM-DD. */
export function todayInAmsterdam(now = new Date()): string {
  return amsterdamDate(now);
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DUTCH_DATE = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/;

/** Accepts 2026-10-01 and the Dutch 1-10-2026, 01-10-2026, 01/10/2026 and 01.10.2026. */
export function normalizeDate(raw: string, today = todayInAmsterdam()): Normalized<string> {
  const value = raw.trim();
  const iso = ISO_DATE.exec(value);
  const dutch = DUTCH_DATE.exec(value);
  const parts = iso ? [iso[1], iso[2], iso[3]] : dutch ? [dutch[3], dutch[2], dutch[1]] : undefined;
  const example = "bijvoorbeeld 01-10-2026 of 2026-10-01";
  if (!parts) return bad(`is geen datum (${example})`);
  const [year, month, day] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return bad(`is geen bestaande datum (${example})`);
  }
  const result = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  if (result < EARLIEST_DATE) return bad("ligt vóór 2015; zo oude gesprekken meten we niet");
  if (result > today) return bad("ligt in de toekomst");
  return ok(result);
}

/** A Dutch mobile number (06…) in E.164: +316…. Landlines and foreign numbers cannot receive our SMS. */
export function normalizeMobile(raw: string): Normalized<string> {
  const value = raw.trim();
  if (!/^[+\d\s().-]+$/.test(value)) return bad("is geen telefoonnummer");
  const phone = parsePhoneNumberFromString(value, "NL");
  if (!phone || !phone.isValid()) return bad("is geen geldig telefoonnummer");
  if (phone.country !== "NL") return bad("is geen Nederlands nummer");
  if (phone.getType() !== "MOBILE") return bad("is geen mobiel nummer (een 06-nummer)");
  return ok(phone.number);
}

const POSTCODE = /^([1-9]\d{3})\s*([A-Za-z]{2})$/;

/** "3831ab", "3831 AB" → "3831 AB". PostNL never issues the letter pairs SA, SD and SS. */
export function normalizePostcode(raw: string): Normalized<string> {
  const match = POSTCODE.exec(raw.trim());
  if (!match) return bad("is geen postcode zoals 1234 AB");
  const letters = match[2]!.toUpperCase();
  if (["SA", "SD", "SS"].includes(letters)) return bad("is geen bestaande postcode");
  return ok(`${match[1]} ${letters}`);
}

const LAW_WORDS: Record<string, Law> = { wmo: "wmo", "wmo 2015": "wmo", wmo2015: "wmo", jeugd: "jeugd", jeugdwet: "jeugd" };

export function normalizeLaw(raw: string): Normalized<Law> {
  const law = LAW_WORDS[raw.trim().toLowerCase()];
  return law ? ok(law) : bad("moet wmo of jeugd zijn");
}

const CHANNEL_WORDS: Record<string, Channel> = {
  email: "email",
  "e-mail": "email",
  mail: "email",
  sms: "sms",
  letter: "letter",
  brief: "letter",
  post: "letter",
  papier: "letter",
  phone: "phone",
  telefoon: "phone",
  bellen: "phone",
};

export function normalizeChannel(raw: string): Normalized<Channel> {
  const channel = CHANNEL_WORDS[raw.trim().toLowerCase()];
  return channel ? ok(channel) : bad("moet email, sms, letter (brief) of phone (telefoon) zijn");
}

const LANGUAGE_WORDS: Record<string, string> = {
  nederlands: "nl",
  engels: "en",
  english: "en",
  turks: "tr",
  arabisch: "ar",
  pools: "pl",
  duits: "de",
  frans: "fr",
  spaans: "es",
  oekraïens: "uk",
  oekraiens: "uk",
  papiaments: "pap",
  fries: "fy",
};

/** ISO 639 codes (nl, en, tr, pap …) or their Dutch names. */
export function normalizeLanguage(raw: string): Normalized<string> {
  const value = raw.trim().toLowerCase();
  if (/^[a-z]{2,3}$/.test(value)) return ok(value);
  const code = LANGUAGE_WORDS[value];
  return code ? ok(code) : bad("is geen taalcode zoals nl, en of tr");
}

export function normalizeBirthYear(raw: string | number, now = new Date()): Normalized<number> {
  const year = typeof raw === "number" ? raw : /^\s*\d{4}\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(year)) return bad("is geen jaartal zoals 1948");
  if (year < 1900 || year > now.getUTCFullYear()) return bad(`moet tussen 1900 en ${now.getUTCFullYear()} liggen`);
  return ok(year);
}

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[A-Za-z]{2,}$/;

export function normalizeEmail(raw: string): Normalized<string> {
  const value = raw.trim().toLowerCase();
  if (value.length > 254 || !EMAIL.test(value) || value.includes("..")) return bad("is geen geldig e-mailadres");
  return ok(value);
}
