// Second factor for staff: RFC 6238 time-based codes from an authenticator app, and single-use recovery
// codes for when the phone is lost. SHA1, 6 digits and 30 seconds are the settings every common app
// supports; other settings are silently ignored by some apps, which then show codes that never work.
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { HOTP, Secret, TOTP } from "otpauth";
import { createRequire } from "node:module";
import type QRCodeModule from "qrcode";

const ALGORITHM = "SHA1";
const DIGITS = 6;
const PERIOD_SECONDS = 30;
// One step either side forgives a phone clock that is a little off and a code typed just as it changed.
const WINDOW = 1;
const SECRET_BYTES = 20;

export const DEFAULT_ISSUER = "Luisterpost";

/** A new shared secret in base32, as authenticator apps expect it: 20 random bytes, RFC 4226's advice for SHA1. */
export function createTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The otpauth:// URI an app reads from the QR code; the account is the user's e-mail address. */
export function totpUri({ secret, account, issuer = DEFAULT_ISSUER }: { secret: string; account: string; issuer?: string }): string {
  return new TOTP({ issuer, label: account, secret, algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS }).toString();
}

/**
 * The QR code as an SVG data URI for an <img>: no script, no external request, allowed by `img-src data:`.
 * Error correction M survives a slightly blurry phone camera without making the code too dense.
 */
export async function totpQrSvgDataUri(uri: string): Promise<string> {
  const QRCode = createRequire(import.meta.url)("qrcode") as typeof QRCodeModule;
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

export type TotpResult = { ok: true; step: number } | { ok: false };

/**
 * Checks a typed code against the steps around `now`. A step at or before `lastUsedStep` is refused, so a
 * code seen over someone's shoulder cannot be used again; store the returned step after a success.
 * Throws only when the stored secret is not base32, which is a bug rather than a wrong code.
 */
export function verifyTotp({
  secret,
  code,
  lastUsedStep,
  now = Date.now(),
}: {
  secret: string;
  code: string;
  lastUsedStep: number | null;
  now?: number;
}): TotpResult {
  const typed = typeof code === "string" ? code.replace(/\s+/g, "") : "";
  if (!/^\d{6}$/.test(typed)) return { ok: false };
  const key = Secret.fromBase32(secret);
  const current = TOTP.counter({ period: PERIOD_SECONDS, timestamp: now });
  let matched: number | undefined;
  // Every step in the window is checked, without stopping early, and the latest match wins: should one code
  // be valid for two steps, storing the later one still blocks its replay.
  for (let step = current - WINDOW; step <= current + WINDOW; step++) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const expected = HOTP.generate({ secret: key, algorithm: ALGORITHM, digits: DIGITS, counter: step });
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(typed))) matched = step;
  }
  return matched === undefined ? { ok: false } : { ok: true, step: matched };
}

// No 0/o, 1/i/l: people copy these codes from paper, where those look alike.
export const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_LENGTH = 10;

/** Codes as shown to the user, "xxxxx-xxxxx"; store only hashRecoveryCode() of each. */
export function generateRecoveryCodes(count = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let code = "";
    // randomInt avoids the bias of taking random bytes modulo the alphabet's length.
    for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    codes.add(`${code.slice(0, 5)}-${code.slice(5)}`);
  }
  return [...codes];
}

/** What the user typed, in the form that was hashed: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  // Dashes include the typographic ones a word processor puts in when codes are pasted from a document.
  return input.trim().toLowerCase().replace(/[\s\-\u2010-\u2015\u2212]+/g, "");
}

// About 50 bits of randomness, single use and behind the password: a plain hash is enough, and it lets the
// login look a code up directly instead of trying each stored hash.
export function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(normalizeRecoveryCode(code), "utf8").digest("hex");
}
