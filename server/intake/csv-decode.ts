// Bytes to text for CSV files from Excel and case systems: UTF-8 with or without BOM, else Windows-1252.
// Files that are not text at all (an .xlsx renamed to .csv, UTF-16, binary) are refused on their first bytes.
import type { Readable } from "node:stream";
import iconv from "iconv-lite";

/** The file as a whole cannot be used; the message says why, in Dutch, and what to do. */
export class CsvFileError extends Error {
  override name = "CsvFileError";
}

export type CsvEncoding = "UTF-8" | "UTF-8 met BOM" | "Windows-1252";

const SAVE_AS_CSV = "Open het in Excel en kies Opslaan als › CSV (gescheiden door lijstscheidingsteken).";
// Decide between UTF-8 and Windows-1252 on this much text after the first byte that is not ASCII.
const DECIDE_WINDOW = 64 * 1024;
const SIGNATURE_WINDOW = 8 * 1024;

/**
 * Bytes to text. Until the first non-ASCII byte both candidate encodings read the same, so the decision
 * waits for it and is then made on a generous window of what follows: valid UTF-8 there means UTF-8,
 * anything else means Windows-1252 (what Excel writes for "CSV (gescheiden door lijstscheidingsteken)").
 */
export class ByteDecoder {
  encoding: CsvEncoding = "UTF-8";
  bytes = 0;
  private phase: "start" | "ascii" | "deciding" | "utf8" | "cp1252" = "start";
  private held: Buffer[] = [];
  private heldLength = 0;
  private utf8 = new TextDecoder("utf-8");
  private cp1252 = iconv.getDecoder("windows-1252");

  /** Whether the encoding is known for sure (a BOM, or the first byte that is not ASCII has been judged). */
  get decided(): boolean {
    return this.phase === "utf8" || this.phase === "cp1252";
  }

  push(chunk: Buffer): string {
    this.bytes += chunk.length;
    return this.feed(chunk, false);
  }

  end(): string {
    const text = this.feed(Buffer.alloc(0), true);
    if (this.phase === "utf8") return text + this.utf8.decode();
    if (this.phase === "cp1252") return text + (this.cp1252.end() ?? "");
    return text;
  }

  private hold(chunk: Buffer): Buffer {
    if (chunk.length > 0) {
      this.held.push(chunk);
      this.heldLength += chunk.length;
    }
    const all = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    return all;
  }

  private release(): void {
    this.held = [];
    this.heldLength = 0;
  }

  private feed(chunk: Buffer, last: boolean): string {
    switch (this.phase) {
      case "start": {
        const all = this.hold(chunk);
        if (this.heldLength < SIGNATURE_WINDOW && !last) return "";
        this.release();
        this.checkSignature(all);
        if (all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) {
          this.encoding = "UTF-8 met BOM";
          this.phase = "utf8";
          return this.utf8.decode(all.subarray(3), { stream: !last });
        }
        this.phase = "ascii";
        return this.feed(all, last);
      }
      case "ascii": {
        const text = chunk.toString("latin1");
        const firstHigh = text.search(/[\x80-\xff]/);
        if (firstHigh === -1) return text;
        this.phase = "deciding";
        return text.slice(0, firstHigh) + this.feed(chunk.subarray(firstHigh), last);
      }
      case "deciding": {
        const all = this.hold(chunk);
        if (this.heldLength < DECIDE_WINDOW && !last) return "";
        this.release();
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(all, { stream: !last });
          this.phase = "utf8";
        } catch {
          this.phase = "cp1252";
          this.encoding = "Windows-1252";
        }
        return this.feed(all, last);
      }
      case "utf8":
        return this.utf8.decode(chunk, { stream: true });
      case "cp1252":
        return chunk.length > 0 ? this.cp1252.write(chunk) : "";
    }
  }

  private checkSignature(head: Buffer): void {
    const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
    if (head.length === 0) throw new CsvFileError("Het bestand is leeg.");
    if (starts(0x50, 0x4b, 0x03, 0x04)) {
      throw new CsvFileError(`Dit is geen CSV-bestand maar een Excel-bestand (.xlsx) of een ander ZIP-bestand. ${SAVE_AS_CSV}`);
    }
    if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
      throw new CsvFileError(`Dit is geen CSV-bestand maar een oud Excel-bestand (.xls). ${SAVE_AS_CSV}`);
    }
    if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) {
      throw new CsvFileError("Dit bestand is opgeslagen als Unicode-tekst (UTF-16). Sla het in Excel op als CSV UTF-8 (gescheiden door lijstscheidingsteken).");
    }
    if (head.subarray(0, SIGNATURE_WINDOW).includes(0)) {
      throw new CsvFileError(`Dit is geen CSV-bestand: er staan tekens in die in een tekstbestand niet voorkomen. ${SAVE_AS_CSV}`);
    }
  }
}

/**
 * The encoding of a whole file, read only as far as needed: a preview shows the first rows, which may all be
 * plain ASCII while an é further down decides between UTF-8 and Windows-1252.
 */
export async function detectEncoding(input: Readable): Promise<CsvEncoding> {
  const decoder = new ByteDecoder();
  try {
    for await (const chunk of input) {
      decoder.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer));
      if (decoder.decided) return decoder.encoding;
    }
    decoder.end();
    return decoder.encoding;
  } finally {
    input.destroy();
  }
}

