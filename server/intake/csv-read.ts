// Reading a CSV file the way Excel and municipal case systems write it, as a stream: the encoding is detected
// from the bytes (UTF-8 with or without BOM, else Windows-1252), the separator from the header line, and
// every record comes out with the physical line it starts on. Files that are not CSV at all are refused
// before anything is read further.
import { Readable, pipeline } from "node:stream";
import { parse, type CsvError, type Info } from "csv-parse";
import { ByteDecoder, CsvFileError, type CsvEncoding } from "./csv-decode.ts";
import { RecordFramer } from "./csv-frame.ts";

export { CsvFileError, detectEncoding, type CsvEncoding } from "./csv-decode.ts";

export type CsvSeparator = ";" | "," | "\t";

/** A record as csv-parse split it; `raw` is the record as it stood in the file. */
export type CsvRow = { kind: "row"; line: number; fields: string[]; raw: string };
/** A line that cannot be read as a record at all (an unclosed quote, a line far too long). */
export type CsvBrokenRow = { kind: "broken"; line: number; raw: string; reason: string };
export type CsvRecord = CsvRow | CsvBrokenRow;

export type CsvReader = {
  /** Known for sure once the first byte that is not ASCII has been read; until then "UTF-8". */
  readonly encoding: CsvEncoding;
  separator: CsvSeparator;
  header: string[];
  headerLine: number;
  /** The records after the header, in file order. Iterate once. */
  records(): AsyncGenerator<CsvRecord>;
  bytesRead(): number;
  close(): void;
};

/** The separator that occurs most often in the header line outside quotes; `;` when in doubt. */
export function detectSeparator(headerLine: string): CsvSeparator {
  const counts = { ";": 0, ",": 0, "\t": 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char in counts) counts[char as CsvSeparator]++;
  }
  const best = (Object.keys(counts) as CsvSeparator[]).reduce((a, b) => (counts[b] > counts[a] ? b : a), ";");
  return counts[best] > 0 ? best : ";";
}

/** The first line with content, once enough text has come in to hold it (quotes may span lines). */
function firstLine(text: string): string | undefined {
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) {
      if (text.slice(start, i).trim() !== "") return text.slice(start, i);
      start = i + 1;
    }
  }
  return undefined;
}

/** The line a record starts on: csv-parse counts the line it ends on; its raw text says how many it spans. */
function startLine(info: Info, raw: string): number {
  return info.lines - (raw.split("\n").length - 1);
}

/** The record as it stood in the file, without the empty lines before it and the line end after it. */
function trimRaw(raw: string | undefined): string {
  return (raw ?? "").replace(/^\n+/, "").replace(/\n$/, "");
}

/** Opens a CSV stream: checks what it is, detects encoding and separator, and reads the header. */
export async function openCsv(input: Readable): Promise<CsvReader> {
  try {
    return await open(input);
  } catch (err) {
    // The caller gets no reader to close: let go of the file here.
    input.destroy();
    throw err;
  }
}

async function open(input: Readable): Promise<CsvReader> {
  const decoder = new ByteDecoder();
  const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const toBuffer = (chunk: Buffer | string) => (typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);

  // Read until the header line is complete.
  let text = "";
  let ended = false;
  let header: string | undefined;
  while (header === undefined && !ended) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      text += decoder.end();
      header = text.trim() === "" ? undefined : (firstLine(`${text}\n`) ?? text);
    } else {
      text += decoder.push(toBuffer(next.value));
      header = firstLine(text);
      if (header === undefined && text.length > 1_000_000) throw new CsvFileError("De kopregel is langer dan een miljoen tekens; dit is geen CSV-bestand met gesprekken.");
    }
  }
  if (header === undefined) throw new CsvFileError("Het bestand is leeg.");

  const separator = detectSeparator(header);
  const framer = new RecordFramer(separator);
  async function* framed(): AsyncGenerator<string> {
    try {
      const start = framer.push(text);
      if (start !== "") yield start;
      while (!ended) {
        const next = await source.next();
        if (next.done) {
          ended = true;
          const last = framer.push(decoder.end());
          if (last !== "") yield last;
        } else {
          const out = framer.push(decoder.push(toBuffer(next.value)));
          if (out !== "") yield out;
        }
      }
      const rest = framer.end();
      if (rest !== "") yield rest;
    } finally {
      if (!ended) input.destroy();
    }
  }

  const skipped: CsvBrokenRow[] = [];
  const parser = parse({
    delimiter: separator,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: 1_000_000,
    info: true,
    raw: true,
    // The framer hands over whole records only, so csv-parse should never fail; should it still, the record
    // is reported rather than lost.
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const text = trimRaw(raw);
      const endLine = typeof err?.lines === "number" ? err.lines : 0;
      skipped.push({ kind: "broken", line: endLine - (text.split("\n").length - 1), raw: text, reason: "Deze regel kan niet als CSV worden gelezen." });
      return undefined;
    },
  });
  pipeline(Readable.from(framed(), { objectMode: false }), parser, () => undefined);
  const parsed = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: Info; raw: string }>;

  const first = await parsed.next();
  const headerLine = first.done ? 0 : startLine(first.value.info, trimRaw(first.value.raw));
  if (first.done || framer.broken.some((b) => b.line < headerLine) || skipped.length > 0) {
    parser.destroy();
    throw new CsvFileError(
      first.done ? "Het bestand is leeg." : "De kopregel kan niet worden gelezen: er staat een aanhalingsteken (\") in dat niet wordt afgesloten.",
    );
  }

  async function* records(): AsyncGenerator<CsvRecord> {
    const pendingBroken = () => [...framer.broken.splice(0), ...skipped.splice(0)].sort((a, b) => a.line - b.line);
    let waiting: CsvBrokenRow[] = [];
    for (;;) {
      const next = await parsed.next();
      waiting.push(...pendingBroken());
      if (next.done) break;
      const raw = trimRaw(next.value.raw);
      const line = startLine(next.value.info, raw);
      // Lines the framer took out come back in file order, before the record that follows them.
      while (waiting.length > 0 && waiting[0]!.line < line) yield waiting.shift()!;
      yield { kind: "row", line, fields: next.value.record, raw };
    }
    waiting = [...waiting, ...pendingBroken()].sort((a, b) => a.line - b.line);
    yield* waiting;
  }

  return {
    get encoding() {
      return decoder.encoding;
    },
    separator,
    header: first.value.record.map((name) => name.trim()),
    headerLine,
    records,
    bytesRead: () => decoder.bytes,
    close() {
      parser.destroy();
      input.destroy();
    },
  };
}
