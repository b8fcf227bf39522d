// Cuts decoded CSV text into whole records before csv-parse sees it. Two things csv-parse cannot do alone:
// an unclosed quote makes it swallow the rest of the file into one field (with skip_records_with_error it
// then drops every later row without a word), and its line count goes wrong on CRLF inside quoted fields.
// The framer normalises line ends to \n, follows quotes the way csv-parse does (relax_quotes), and takes a
// record out when a quoted field runs on too long: its first line is reported as broken, an empty line takes
// its place (so csv-parse keeps counting physical lines), and the lines after it are read again.
import type { CsvBrokenRow } from "./csv-read.ts";

/** A quoted field may hold line breaks, but no intake field runs this long. */
const MAX_RECORD_LINES = 100;
const MAX_RECORD_CHARS = 50_000;
/** A single line longer than this is not a row of an intake export. */
const MAX_LINE_CHARS = 60_000;
const RAW_KEPT = 1_000;

const UNCLOSED_QUOTE =
  'Op deze regel begint een veld met een aanhalingsteken (") dat niet wordt afgesloten. Sluit het veld af met een tweede aanhalingsteken, of haal het aanhalingsteken weg.';
const LINE_TOO_LONG = `Deze regel is langer dan ${MAX_LINE_CHARS.toLocaleString("nl-NL")} tekens; dat is geen regel met een gesprek.`;

export class RecordFramer {
  /** Lines taken out, in the order found; the reader merges them with csv-parse's records. */
  readonly broken: CsvBrokenRow[] = [];
  private carry = "";
  private carryTooLong = false;
  private pendingCR = false;
  private nextLine = 1;
  // The record being assembled while a quoted field spans lines.
  private record: string[] = [];
  private recordStart = 0;
  private recordChars = 0;
  private quoted = false;
  private fieldStart = true;

  constructor(private readonly separator: string) {}

  /** Takes the next piece of text; returns the whole records (and placeholder lines) now complete. */
  push(chunk: string): string {
    let text = this.pendingCR ? `\r${chunk}` : chunk;
    this.pendingCR = text.endsWith("\r");
    if (this.pendingCR) text = text.slice(0, -1);
    text = text.replace(/\r\n?/g, "\n");

    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      if (this.carryTooLong) this.lineTooLong(out);
      else this.scanLine(this.carry + text.slice(start, nl), this.nextLine++, out);
      this.carry = "";
      this.carryTooLong = false;
      start = nl + 1;
    }
    if (!this.carryTooLong) {
      this.carry += text.slice(start);
      if (this.carry.length > MAX_LINE_CHARS) {
        this.carryTooLong = true;
        this.carry = this.carry.slice(0, RAW_KEPT);
      }
    }
    return out.join("");
  }

  /** The end of the text: the last line, and any record whose quote never closed. */
  end(): string {
    const out: string[] = [];
    this.pendingCR = false;
    if (this.carryTooLong) this.lineTooLong(out);
    else if (this.carry !== "") this.scanLine(this.carry, this.nextLine++, out);
    this.carry = "";
    this.carryTooLong = false;
    while (this.record.length > 0) this.breakRecord(out);
    return out.join("");
  }

  private scanLine(text: string, number: number, out: string[]): void {
    if (this.record.length === 0) {
      // Most lines have no quote at all: a whole record by themselves.
      if (!text.includes('"')) {
        out.push(text, "\n");
        return;
      }
      this.recordStart = number;
      this.recordChars = 0;
      this.quoted = false;
      this.fieldStart = true;
    }
    this.record.push(text);
    this.recordChars += text.length + 1;
    this.track(text);
    if (!this.quoted) {
      out.push(this.record.join("\n"), "\n");
      this.record = [];
    } else if (this.record.length > MAX_RECORD_LINES || this.recordChars > MAX_RECORD_CHARS) {
      this.breakRecord(out);
    }
  }

  /** Follows the quotes of one line: a quote opens a field only at its start; "" inside is a quote. */
  private track(text: string): void {
    const separator = this.separator;
    let quoted = this.quoted;
    let fieldStart = this.fieldStart;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (quoted) {
        if (char === '"') {
          if (text[i + 1] === '"') i++;
          else {
            quoted = false;
            fieldStart = false;
          }
        }
      } else if (char === separator) {
        fieldStart = true;
      } else {
        if (char === '"' && fieldStart) quoted = true;
        fieldStart = false;
      }
    }
    this.quoted = quoted;
    this.fieldStart = fieldStart;
  }

  /** The open record's first line is where the runaway quote starts: report it, read the rest again. */
  private breakRecord(out: string[]): void {
    const [first = "", ...rest] = this.record;
    const start = this.recordStart;
    this.broken.push({ kind: "broken", line: start, raw: first.length > RAW_KEPT ? `${first.slice(0, RAW_KEPT)}…` : first, reason: UNCLOSED_QUOTE });
    out.push("\n");
    this.record = [];
    this.quoted = false;
    rest.forEach((text, i) => this.scanLine(text, start + 1 + i, out));
  }

  private lineTooLong(out: string[]): void {
    while (this.record.length > 0) this.breakRecord(out);
    this.broken.push({ kind: "broken", line: this.nextLine++, raw: `${this.carry}…`, reason: LINE_TOO_LONG });
    out.push("\n");
  }
}
