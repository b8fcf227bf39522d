// A check for details that could identify a client in a quote meant for a report: e-mail addresses, phone
// numbers and other long numbers (a BSN), postcodes, street names and capitalised words that may be names.
// It is deliberately eager: what it finds is shown to a person who decides, it never publishes or removes
// anything by itself.

export const FLAG_KINDS = ["email", "phone", "number", "postcode", "address", "name"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export type QuoteFlag = { kind: FlagKind; match: string; index: number };

export const FLAG_LABELS: Record<FlagKind, string> = {
  email: "e-mailadres",
  phone: "telefoonnummer",
  number: "lang nummer (bijvoorbeeld een BSN)",
  postcode: "postcode",
  address: "straatnaam of adres",
  name: "mogelijk een naam",
};

const EMAIL = /[^\s@<>()]+@[^\s@<>()]+\.[A-Za-z]{2,}/g;
// Digits with the separators people type ("06-12345678", "+31 6 1234 5678", "(010) 123 45 67").
const DIGITS = /(?:\+|\(|\b)\d[\d\s().-]{5,}\d\b/g;
const POSTCODE = /\b[1-9]\d{3} ?[A-Z]{2}\b|\b[1-9]\d{3}[a-z]{2}\b/g;
const STREET = /\b[A-ZÀ-Ý][a-zà-ÿ'-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|hof|steeg|dreef|park|markt|erf|wal)\b(?:\s+\d+\s?[a-zA-Z]?\b)?/g;
const WORD = /[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'-]*/g;
/** Words after which a capitalised word is a name even at the start of a sentence. */
const TITLES = new Set(["meneer", "mevrouw", "dhr", "mw", "mevr", "mr", "dr", "dokter", "juf", "juffrouw", "meester", "zuster", "broeder", "buurman", "buurvrouw", "heer"]);
/** Capitalised words that are no names: the words of the field. */
const COMMON = new Set(["ik", "wmo", "jeugdwet", "luisterpost", "god", "nederland", "nederlands", "engels"]);

function isSentenceStart(text: string, index: number): boolean {
  const before = text.slice(0, index);
  return /^[\s"'“‘„(«-]*$/.test(before) || /[.!?:;…]["'”’)»]*\s+["'“‘„(«]*$/.test(before) || /\n\s*["'“‘„(«-]*$/.test(before);
}

function previousWord(text: string, index: number): string | undefined {
  const match = /([A-Za-zÀ-ÿ]+)\.?\s+$/.exec(text.slice(0, index));
  return match?.[1]?.toLowerCase();
}

/** Everything in the text that may identify someone, in order of appearance, without overlaps. */
export function checkQuote(text: string): QuoteFlag[] {
  const flags: QuoteFlag[] = [];
  const taken: Array<[number, number]> = [];
  const free = (start: number, end: number) => taken.every(([s, e]) => end <= s || start >= e);
  const add = (kind: FlagKind, match: string, index: number) => {
    if (!free(index, index + match.length)) return;
    flags.push({ kind, match, index });
    taken.push([index, index + match.length]);
  };

  for (const m of text.matchAll(EMAIL)) add("email", m[0], m.index);
  for (const m of text.matchAll(DIGITS)) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length < 9) continue;
    add(/^\(?(\+|00|0)/.test(m[0]) ? "phone" : "number", m[0].trim(), m.index);
  }
  for (const m of text.matchAll(POSTCODE)) add("postcode", m[0], m.index);
  for (const m of text.matchAll(STREET)) add("address", m[0], m.index);
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    if (word[0] !== word[0]!.toUpperCase() || word[0] === word[0]!.toLowerCase()) continue;
    // Abbreviations in capitals (GGD, CJG, WMO) are organisations, not people.
    if (word.length <= 5 && word === word.toUpperCase()) continue;
    if (COMMON.has(word.toLowerCase())) continue;
    const afterTitle = TITLES.has(previousWord(text, m.index) ?? "");
    if (!afterTitle && isSentenceStart(text, m.index)) continue;
    add("name", word, m.index);
  }
  return flags.sort((a, b) => a.index - b.index);
}

/** The text cut into pieces, each flagged piece with its flag, for highlighting with <mark>. */
export function highlightQuote(text: string, flags: QuoteFlag[]): Array<{ text: string; flag?: QuoteFlag }> {
  const pieces: Array<{ text: string; flag?: QuoteFlag }> = [];
  let at = 0;
  for (const flag of [...flags].sort((a, b) => a.index - b.index)) {
    if (flag.index < at || text.slice(flag.index, flag.index + flag.match.length) !== flag.match) continue;
    if (flag.index > at) pieces.push({ text: text.slice(at, flag.index) });
    pieces.push({ text: flag.match, flag });
    at = flag.index + flag.match.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}
