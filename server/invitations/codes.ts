// Personal links and paper codes. A link token is 128 random bits; only its hash is stored. A paper code is
// eight characters from a 32-character alphabet without the look-alikes 0/O and 1/I, plus a check character
// (Luhn mod N), so a typo is caught on the page before anything is looked up.
import { createHash, randomBytes, randomInt } from "node:crypto";

export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const N = CODE_ALPHABET.length;
const DATA_LENGTH = 8;

export function generateLinkToken(): string {
  return randomBytes(16).toString("base64url");
}

export function hashSecret(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function checkCharacter(data: string): string {
  // Luhn mod N (N even, so doubling is a permutation): catches every single-character error and nearly
  // every swap of two neighbouring characters.
  let factor = 2;
  let sum = 0;
  for (let i = data.length - 1; i >= 0; i -= 1) {
    let addend = factor * CODE_ALPHABET.indexOf(data[i]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return CODE_ALPHABET[(N - (sum % N)) % N]!;
}

/** A new paper code, normalised (no spaces or dashes): eight characters and the check character. */
export function generatePaperCode(): string {
  let data = "";
  for (let i = 0; i < DATA_LENGTH; i += 1) data += CODE_ALPHABET[randomInt(N)];
  return data + checkCharacter(data);
}

/** As printed on a letter: ABCD-EFGH-J. */
export function formatPaperCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export type CodeCheck = { ok: true; code: string } | { ok: false; reason: "empty" | "length" | "characters" | "check" };

/** Normalises what a client typed (case, spaces, dashes) and verifies the check character. */
export function checkPaperCode(typed: string): CodeCheck {
  const code = typed.toUpperCase().replace(/[\s\-–—.]/g, "");
  if (code.length === 0) return { ok: false, reason: "empty" };
  if (code.length !== DATA_LENGTH + 1) return { ok: false, reason: "length" };
  if ([...code].some((c) => !CODE_ALPHABET.includes(c))) return { ok: false, reason: "characters" };
  if (checkCharacter(code.slice(0, DATA_LENGTH)) !== code[DATA_LENGTH]) return { ok: false, reason: "check" };
  return { ok: true, code };
}
