// Staff passwords: scrypt hashes that carry their own parameters, a strength check in plain Dutch, and the
// random tokens behind single-use links and sessions. Nothing here touches the database.
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { createRequire } from "node:module";

type ZxcvbnCore = typeof import("@zxcvbn-ts/core");
type ZxcvbnCommon = typeof import("@zxcvbn-ts/language-common");
type Zxcvbn = InstanceType<ZxcvbnCore["ZxcvbnFactory"]>;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

export const passwordMessages = {
  tooShort: `Kies een wachtwoord van minstens ${PASSWORD_MIN_LENGTH} tekens.`,
  tooLong: `Kies een wachtwoord van hoogstens ${PASSWORD_MAX_LENGTH} tekens.`,
  personal: "Gebruik uw naam of e-mailadres niet in uw wachtwoord.",
  common: "Dit wachtwoord komt te vaak voor. Kies een ander wachtwoord, bijvoorbeeld een zin van een paar woorden.",
  guessable: "Dit wachtwoord is te makkelijk te raden. Kies een langer wachtwoord, bijvoorbeeld een zin van een paar woorden.",
} as const;

// OWASP's minimum for scrypt is N=2^17 with r=8, p=1; N=2^15 keeps a login near 50 ms on a small server
// while staying far beyond fast hashes. The parameters travel in every hash, so they can be raised later
// and old hashes upgraded at the next login (needsRehash).
const CURRENT = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;
// scrypt needs about 128 * N * r bytes; Node's default ceiling of 32 MiB is exactly too small for ours.
const MAXMEM = 64 * 1024 * 1024;
// A stored hash must not make us allocate without bound (a corrupted or planted row).
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

type ScryptHash = { N: number; r: number; p: number; salt: Buffer; hash: Buffer };

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// NIST SP 800-63B: normalise Unicode before hashing, so "é" typed as one or two code points is the same password.
const normalize = (password: string) => password.normalize("NFKC");

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = CURRENT;
  const salt = randomBytes(CURRENT.saltBytes);
  const hash = await scryptAsync(normalize(password), salt, CURRENT.keyBytes, { N, r, p, maxmem: MAXMEM });
  return ["scrypt", N, r, p, salt.toString("base64"), hash.toString("base64")].join("$");
}

function parseHash(encoded: string): ScryptHash | undefined {
  if (typeof encoded !== "string") return undefined;
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [, nRaw, rRaw, pRaw, saltRaw, hashRaw] = parts as [string, string, string, string, string, string];
  if (![nRaw, rRaw, pRaw].every((v) => /^[1-9]\d{0,9}$/.test(v))) return undefined;
  const N = Number(nRaw);
  const r = Number(rRaw);
  const p = Number(pRaw);
  // N must be a power of two above 1; scrypt itself refuses anything else.
  if (N < 2 || (N & (N - 1)) !== 0 || p > 16 || 128 * N * r > MAX_SCRYPT_MEMORY) return undefined;
  if (!BASE64.test(saltRaw) || !BASE64.test(hashRaw)) return undefined;
  const salt = Buffer.from(saltRaw, "base64");
  const hash = Buffer.from(hashRaw, "base64");
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { N, r, p, salt, hash };
}

/** False for a wrong password and for anything that is not one of our hashes; it never throws. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed || typeof password !== "string") return false;
  const { N, r, p, salt, hash } = parsed;
  try {
    const maxmem = Math.max(MAXMEM, 2 * 128 * N * r);
    const actual = await scryptAsync(normalize(password), salt, hash.length, { N, r, p, maxmem });
    return timingSafeEqual(actual, hash);
  } catch {
    return false;
  }
}

/** True when a hash was made with weaker settings than today's, or is not ours at all. */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return true;
  return (
    parsed.N < CURRENT.N ||
    parsed.r < CURRENT.r ||
    parsed.p < CURRENT.p ||
    parsed.salt.length < CURRENT.saltBytes ||
    parsed.hash.length < CURRENT.keyBytes
  );
}

// Words a Dutch user reaches for that the (English) common list misses. Order is rank: earlier is guessed first.
const DUTCH_COMMON = [
  "welkom", "wachtwoord", "geheim", "luisterpost", "gemeente", "hallo", "nederland", "holland", "oranje",
  "amsterdam", "rotterdam", "utrecht", "ajax", "feyenoord", "voetbal", "zomer", "winter", "lente", "herfst",
  "wijkteam", "jeugdzorg",
];

type Strength = { common: Set<string>; zxcvbn: Zxcvbn };
let strength: Strength | undefined;

// Loading the dictionaries and building zxcvbn's ranked lists costs about 100 ms, so it happens at the
// first check instead of at start-up. createRequire keeps the check synchronous; both packages ship CommonJS.
function loadStrength(): Strength {
  if (strength) return strength;
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require("@zxcvbn-ts/core") as ZxcvbnCore;
  const { dictionary, adjacencyGraphs } = require("@zxcvbn-ts/language-common") as ZxcvbnCommon;
  const common = new Set([...dictionary["passwords-common"], ...DUTCH_COMMON].map((p) => String(p).toLowerCase()));
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...dictionary, "dutch-common": DUTCH_COMMON },
    graphs: adjacencyGraphs,
    // zxcvbn's cost grows steeply with length (a 200-character "p@$$w0rd" run takes ~0.4 s); the first 64
    // characters decide, which is plenty to judge any password a person types.
    maxLength: 64,
  });
  strength = { common, zxcvbn };
  return strength;
}

const fold = (s: string) => s.normalize("NFKC").toLowerCase();

/** The e-mail's local part and the name, whole and in parts, when long enough to matter (4+ characters). */
function personalWords(context: { email?: string; name?: string }): string[] {
  const local = context.email ? fold(context.email.trim()).split("@")[0] ?? "" : "";
  const name = context.name ? fold(context.name.trim()) : "";
  const candidates = [
    local,
    ...local.split(/[._+-]+/),
    name,
    // "Jan de Vries" also hides in a password as "jandevries".
    name.replace(/\s+/g, ""),
    ...name.split(/[\s.'-]+/),
  ];
  return [...new Set(candidates.filter((word) => [...word].length >= 4))];
}

/**
 * Undefined when the password is acceptable, else the reason in plain Dutch. Length counts code points,
 * so an emoji or an accented letter is one character, as the user sees it.
 */
export function checkPasswordStrength(password: string, context: { email?: string; name?: string } = {}): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return passwordMessages.tooShort;
  if (length > PASSWORD_MAX_LENGTH) return passwordMessages.tooLong;
  const folded = fold(password);
  const personal = personalWords(context);
  if (personal.some((word) => folded.includes(word))) return passwordMessages.personal;
  const { common, zxcvbn } = loadStrength();
  if (common.has(folded)) return passwordMessages.common;
  // zxcvbn rates "Welkom2024!!" and "Summer2024!!" as strong, yet a common word with digits or symbols around
  // it is the first thing an attacker tries. Only letters count as the word; 4+ so "ab" + random digits passes.
  const word = folded.replace(/^\P{L}+|\P{L}+$/gu, "");
  if (word !== folded && [...word].length >= 4 && common.has(word)) return passwordMessages.common;
  // zxcvbn sees "Password2024!" and "p@ssw0rd1234" for what they are. Score 3 means at least 10^8
  // guesses: out of reach online, and slow going offline against scrypt.
  if (zxcvbn.check(password, personal).score < 3) return passwordMessages.guessable;
  return undefined;
}

/** A random, URL-safe token for a single-use link or a session id; store only its hashToken(). */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

// Tokens are long and random, so a fast hash suffices: a stolen table cannot be reversed by guessing.
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
