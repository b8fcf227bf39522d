// One validation for an intake conversation, whether it came through the API (JSON) or a CSV row. Every
// problem is collected, each naming its field, so a sender can fix them all at once.
import type { FieldProblem } from "../errors.ts";
import {
  normalizeBirthYear,
  normalizeChannel,
  normalizeDate,
  normalizeEmail,
  normalizeLanguage,
  normalizeLaw,
  normalizeMobile,
  normalizePostcode,
  todayInAmsterdam,
  type Channel,
  type Law,
  type Normalized,
} from "./intake.normalize.ts";

export type ContactInput = {
  email: string | null;
  mobile: string | null;
  street: string | null;
  houseNumber: string | null;
  postalCode: string | null;
  city: string | null;
};

export type ConversationInput = {
  externalId: string;
  law: Law;
  heldOn: string;
  team: string | null;
  area: string | null;
  provision: string | null;
  preferredChannel: Channel | null;
  client: { externalId: string; birthYear: number | null; language: string; contact: ContactInput };
};

/** Field paths as the API names them; the CSV importer maps them to its column names. */
export const FIELD_LABELS: Record<string, string> = {
  externalId: "Het gesprek-id",
  law: "De wet",
  heldOn: "De gespreksdatum",
  team: "Het team",
  area: "De wijk",
  provision: "De voorziening",
  preferredChannel: "Het voorkeurskanaal",
  client: "De cliënt",
  "client.externalId": "Het cliënt-id",
  "client.birthYear": "Het geboortejaar",
  "client.language": "De taal",
  "client.email": "Het e-mailadres",
  "client.mobile": "Het mobiele nummer",
  "client.address": "Het adres",
  "client.address.street": "De straat",
  "client.address.houseNumber": "Het huisnummer",
  "client.address.postalCode": "De postcode",
  "client.address.city": "De woonplaats",
};

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  "": ["externalId", "law", "heldOn", "team", "area", "provision", "preferredChannel", "client"],
  client: ["externalId", "birthYear", "language", "email", "mobile", "address"],
  "client.address": ["street", "houseNumber", "postalCode", "city"],
};

const MAX_LENGTH: Record<string, number> = {
  externalId: 100,
  team: 200,
  area: 200,
  provision: 200,
  "client.externalId": 100,
  "client.address.street": 200,
  "client.address.houseNumber": 20,
  "client.address.city": 100,
};

export type Validation = { ok: true; value: ConversationInput } | { ok: false; problems: FieldProblem[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a conversation. `raw` has the API's shape; values may be strings (as in CSV) or the JSON types.
 * With `strict`, keys the API does not know are problems too.
 */
export function validateConversation(raw: unknown, options: { strict?: boolean; today?: string } = {}): Validation {
  const problems: FieldProblem[] = [];
  const today = options.today ?? todayInAmsterdam();
  const problem = (field: string, reason: string) => problems.push({ field, message: `${FIELD_LABELS[field] ?? field} ${reason}.` });

  if (!isRecord(raw)) return { ok: false, problems: [{ field: "", message: "Stuur een JSON-object met de gegevens van het gesprek." }] };
  const client = raw.client === undefined || raw.client === null ? {} : raw.client;
  if (!isRecord(client)) problem("client", "moet een object zijn");
  const clientRecord = isRecord(client) ? client : {};
  const address = clientRecord.address === undefined || clientRecord.address === null ? {} : clientRecord.address;
  if (!isRecord(address)) problem("client.address", "moet een object zijn");
  const addressRecord = isRecord(address) ? address : {};

  if (options.strict) {
    const objects: Array<[string, Record<string, unknown>]> = [["", raw], ["client", clientRecord], ["client.address", addressRecord]];
    for (const [prefix, object] of objects) {
      for (const key of Object.keys(object)) {
        if (!ALLOWED_KEYS[prefix]!.includes(key)) {
          const path = prefix ? `${prefix}.${key}` : key;
          problems.push({ field: path, message: `Het veld ${path} kennen wij niet.` });
        }
      }
    }
  }

  const valueAt = (path: string): unknown => {
    const [first, second, third] = path.split(".");
    if (!second) return raw[first!];
    if (!third) return clientRecord[second];
    return addressRecord[third];
  };

  /** Text, trimmed; empty becomes null. Numbers are accepted where a case system sends ids as numbers. */
  const text = (path: string, required: boolean): string | null => {
    const value = valueAt(path);
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
      if (required) problem(path, "ontbreekt");
      return null;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      problem(path, "moet tekst zijn");
      return null;
    }
    const result = String(value).trim();
    const max = MAX_LENGTH[path];
    if (max !== undefined && result.length > max) {
      problem(path, `is te lang (hoogstens ${max} tekens)`);
      return null;
    }
    return result;
  };

  const normalized = <T>(path: string, required: boolean, normalize: (value: string) => Normalized<T>): T | null => {
    const value = valueAt(path);
    if (typeof value === "number" && path === "client.birthYear") {
      const result = normalizeBirthYear(value);
      if (!result.ok) problem(path, result.reason);
      return result.ok ? (result.value as T) : null;
    }
    const raw = text(path, required);
    if (raw === null) return null;
    const result = normalize(raw);
    if (!result.ok) {
      problem(path, result.reason);
      return null;
    }
    return result.value;
  };

  const externalId = text("externalId", true);
  const law = normalized("law", true, normalizeLaw);
  const heldOn = normalized("heldOn", true, (v) => normalizeDate(v, today));
  const team = text("team", false);
  const area = text("area", false);
  const provision = text("provision", false);
  const preferredChannel = normalized("preferredChannel", false, normalizeChannel);
  const clientId = text("client.externalId", true);
  const birthYear = normalized("client.birthYear", false, (v) => normalizeBirthYear(v));
  const language = normalized("client.language", false, normalizeLanguage);
  const contact: ContactInput = {
    email: normalized("client.email", false, normalizeEmail),
    mobile: normalized("client.mobile", false, normalizeMobile),
    street: text("client.address.street", false),
    houseNumber: text("client.address.houseNumber", false),
    postalCode: normalized("client.address.postalCode", false, normalizePostcode),
    city: text("client.address.city", false),
  };

  const contactFieldsWithProblems = problems.some((p) => /^client(\.(email|mobile|address)|$)/.test(p.field));
  const fullAddress = contact.street && contact.houseNumber && contact.postalCode && contact.city;
  if (!contact.email && !contact.mobile && !fullAddress && !contactFieldsWithProblems) {
    problems.push({
      field: "client",
      message: "Er is geen manier om de cliënt te bereiken. Geef een e-mailadres, een mobiel nummer of een volledig adres (straat, huisnummer, postcode en woonplaats).",
    });
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      externalId: externalId!,
      law: law!,
      heldOn: heldOn!,
      team,
      area,
      provision,
      preferredChannel,
      client: { externalId: clientId!, birthYear, language: language ?? "nl", contact },
    },
  };
}
