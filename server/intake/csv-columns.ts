// The columns of the intake CSV (DOMAIN.md, "Intake CSV"): which header names mean what, which are
// required, and how a row becomes the API's conversation shape so that one validation serves both.
import { unguardText } from "../exports/cells.ts";

export const CSV_COLUMNS = [
  "gesprek_id",
  "client_id",
  "wet",
  "gespreksdatum",
  "team",
  "wijk",
  "voorziening",
  "geboortejaar",
  "taal",
  "email",
  "mobiel",
  "straat",
  "huisnummer",
  "postcode",
  "woonplaats",
  "voorkeur_kanaal",
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly CsvColumn[] = ["gesprek_id", "client_id", "wet", "gespreksdatum"];
const CONTACT_COLUMNS: readonly CsvColumn[] = ["email", "mobiel", "straat", "huisnummer", "postcode", "woonplaats"];
const ADDRESS_COLUMNS: readonly CsvColumn[] = ["straat", "huisnummer", "postcode", "woonplaats"];

/** Each column's field in the API shape (intake.schema.ts) and its meaning, as the preview explains it. */
const COLUMN_INFO: Record<CsvColumn, { field: string; meaning: string }> = {
  gesprek_id: { field: "externalId", meaning: "Nummer van het gesprek in het zaaksysteem" },
  client_id: { field: "client.externalId", meaning: "Cliëntnummer in het zaaksysteem" },
  wet: { field: "law", meaning: "Wet: wmo of jeugd" },
  gespreksdatum: { field: "heldOn", meaning: "Datum van het keukentafelgesprek" },
  team: { field: "team", meaning: "Team dat het gesprek voerde" },
  wijk: { field: "area", meaning: "Wijk" },
  voorziening: { field: "provision", meaning: "Voorziening" },
  geboortejaar: { field: "client.birthYear", meaning: "Geboortejaar van de cliënt" },
  taal: { field: "client.language", meaning: "Taal van de cliënt" },
  email: { field: "client.email", meaning: "E-mailadres van de cliënt" },
  mobiel: { field: "client.mobile", meaning: "Mobiel nummer van de cliënt" },
  straat: { field: "client.address.street", meaning: "Straat" },
  huisnummer: { field: "client.address.houseNumber", meaning: "Huisnummer" },
  postcode: { field: "client.address.postalCode", meaning: "Postcode" },
  woonplaats: { field: "client.address.city", meaning: "Woonplaats" },
  voorkeur_kanaal: { field: "preferredChannel", meaning: "Hoe de cliënt uitgenodigd wil worden" },
};

export function columnMeaning(column: CsvColumn): string {
  return COLUMN_INFO[column].meaning;
}

/** Header names as written, lower case, with spaces and dashes as underscores: "Gesprek ID" → gesprek_id. */
function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

// Header names accepted besides the Dutch ones: the API's field names (whole paths and last parts) and a few
// spellings exports use.
const ALIASES: Record<string, CsvColumn> = (() => {
  const aliases: Record<string, CsvColumn> = {
    gesprekid: "gesprek_id",
    clientid: "client_id",
    cliënt_id: "client_id",
    cliëntid: "client_id",
    client_externalid: "client_id",
    datum: "gespreksdatum",
    e_mail: "email",
    e_mailadres: "email",
    emailadres: "email",
    mobiel_nummer: "mobiel",
    voorkeurskanaal: "voorkeur_kanaal",
  };
  for (const column of CSV_COLUMNS) {
    const path = COLUMN_INFO[column].field.toLowerCase();
    aliases[path] = column;
    const last = path.split(".").at(-1)!;
    if (last !== "externalid" || column === "gesprek_id") aliases[last] = column;
  }
  return aliases;
})();

export function columnFor(name: string): CsvColumn | undefined {
  const normalized = normalizeName(name);
  return (CSV_COLUMNS as readonly string[]).includes(normalized) ? (normalized as CsvColumn) : ALIASES[normalized];
}

export type HeaderMapping = {
  /** Per header position: the column it fills, or null when it is not used. */
  columns: Array<CsvColumn | null>;
  indexOf: Partial<Record<CsvColumn, number>>;
  missing: CsvColumn[];
  duplicates: CsvColumn[];
  /** Whether any column can reach a client (e-mail, mobile, or the four address columns). */
  canReach: boolean;
};

export function mapHeader(header: string[]): HeaderMapping {
  const indexOf: Partial<Record<CsvColumn, number>> = {};
  const duplicates: CsvColumn[] = [];
  const columns = header.map((name, index) => {
    const column = columnFor(name);
    if (!column) return null;
    if (indexOf[column] !== undefined) {
      if (!duplicates.includes(column)) duplicates.push(column);
      return null;
    }
    indexOf[column] = index;
    return column;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => indexOf[c] === undefined);
  const canReach = indexOf.email !== undefined || indexOf.mobiel !== undefined || ADDRESS_COLUMNS.every((c) => indexOf[c] !== undefined);
  return { columns, indexOf, missing, duplicates, canReach };
}

function list(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} en ${names.at(-1)}`;
}

/** What is wrong with the header as a whole (Dutch), or null when the file can be imported. */
export function headerProblem(mapping: HeaderMapping, headerLine: number): string | null {
  const problems: string[] = [];
  if (mapping.missing.length > 0) {
    problems.push(
      `${mapping.missing.length === 1 ? "De verplichte kolom" : "De verplichte kolommen"} ${list(mapping.missing)} ${mapping.missing.length === 1 ? "ontbreekt" : "ontbreken"} in de kopregel (regel ${headerLine}). Verplicht zijn ${list(REQUIRED_COLUMNS)}.`,
    );
  }
  if (mapping.duplicates.length > 0) problems.push(`De kolom ${list(mapping.duplicates)} staat meer dan eens in de kopregel.`);
  if (!mapping.canReach) {
    problems.push("Er is geen kolom om cliënten te bereiken: geef een kolom email, mobiel, of straat, huisnummer, postcode en woonplaats.");
  }
  return problems.length > 0 ? problems.join(" ") : null;
}

/** A row in the API's shape, values as the file has them; validateConversation does the rest. */
export function rowToConversation(fields: string[], mapping: HeaderMapping): Record<string, unknown> {
  const value = (column: CsvColumn): string | undefined => {
    const index = mapping.indexOf[column];
    const field = index === undefined ? undefined : fields[index];
    // A file of rejected rows guards cells against formulas ('+31 6 …); uploaded again as it is, they mean the same.
    return field === undefined ? undefined : unguardText(field);
  };
  return {
    externalId: value("gesprek_id"),
    law: value("wet"),
    heldOn: value("gespreksdatum"),
    team: value("team"),
    area: value("wijk"),
    provision: value("voorziening"),
    preferredChannel: value("voorkeur_kanaal"),
    client: {
      externalId: value("client_id"),
      birthYear: value("geboortejaar"),
      language: value("taal"),
      email: value("email"),
      mobile: value("mobiel"),
      address: { street: value("straat"), houseNumber: value("huisnummer"), postalCode: value("postcode"), city: value("woonplaats") },
    },
  };
}

const FIELD_COLUMNS: Record<string, CsvColumn> = Object.fromEntries(CSV_COLUMNS.map((c) => [COLUMN_INFO[c].field, c]));

/** The CSV columns an API field path stands for; "client" (no way to reach) names the contact columns the file has. */
export function columnsOfField(field: string, mapping: HeaderMapping): CsvColumn[] {
  const column = FIELD_COLUMNS[field];
  if (column) return [column];
  if (field === "client" || field === "client.address") {
    const present = (field === "client" ? CONTACT_COLUMNS : ADDRESS_COLUMNS).filter((c) => mapping.indexOf[c] !== undefined);
    return present.length > 0 ? present : [...CONTACT_COLUMNS];
  }
  return [];
}
