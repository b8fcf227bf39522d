// Synthetic intake CSV files for the importer and upload tests: fake ids and names, example.test addresses.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";

export const HEADER = [
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

export type Row = Partial<Record<(typeof HEADER)[number], string>>;

/** A valid row for conversation `n`; `overrides` change single fields. */
export function row(n: number, overrides: Row = {}): Row {
  return {
    gesprek_id: `KTG-T-${String(n).padStart(5, "0")}`,
    client_id: `C-T-${String(n).padStart(5, "0")}`,
    wet: n % 2 === 0 ? "jeugd" : "wmo",
    gespreksdatum: "2025-10-01",
    team: "Sociaal Team Noord",
    wijk: "Centrum",
    voorziening: "huishoudelijke hulp",
    geboortejaar: "1948",
    taal: "nl",
    email: `client${n}@example.test`,
    mobiel: "06-12345678",
    straat: "Dorpsstraat",
    huisnummer: String(n),
    postcode: "3831 AB",
    woonplaats: "Leusden",
    voorkeur_kanaal: "email",
    ...overrides,
  };
}

/** A field as Excel writes it: quoted when it holds the separator, a quote or a line break. */
export function field(value: string, separator: string): string {
  return value.includes(separator) || value.includes('"') || /[\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvText(rows: Row[], options: { separator?: string; header?: readonly string[]; newline?: string } = {}): string {
  const separator = options.separator ?? ";";
  const header = options.header ?? HEADER;
  const newline = options.newline ?? "\r\n";
  const keys = HEADER as readonly string[];
  const lines = [header.map((h) => field(h, separator)).join(separator)];
  for (const r of rows) lines.push(keys.map((k) => field((r as Record<string, string | undefined>)[k] ?? "", separator)).join(separator));
  return `${lines.join(newline)}${newline}`;
}

/** The bytes in small pieces, so that encodings, line ends and quotes are split across chunks. */
export function chunked(data: Buffer | string, size = 7): Readable {
  const buffer = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const pieces: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) pieces.push(buffer.subarray(i, i + size));
  return Readable.from(pieces);
}

/** A real (if tiny) ZIP archive, as an .xlsx renamed to .csv would be: stored entries, valid CRCs. */
export function zipArchive(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text, "utf8");
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const XLSX = () =>
  zipArchive({
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
  });

/** Writes a CSV of `bytes` or more to `file`, row by row, without building it in memory. */
export async function writeLargeCsv(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  let written = 0;
  let n = 0;
  const first = csvText([]);
  out.write(first);
  written += first.length;
  while (written < bytes) {
    const lines = Array.from({ length: 500 }, () => csvText([row(++n)], { header: [] }).slice(2));
    const text = lines.join("");
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
