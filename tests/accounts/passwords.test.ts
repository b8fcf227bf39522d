// Password hashing, the strength rules and tokens, run for real: scrypt, the zxcvbn dictionaries, crypto.
import { createHash, randomBytes, scryptSync } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  checkPasswordStrength,
  generateToken,
  hashPassword,
  hashToken,
  needsRehash,
  passwordMessages,
  verifyPassword,
} from "../../server/accounts/passwords.ts";

const require = createRequire(import.meta.url);

/** An encoding made by hand, as an older version of hashPassword would have written it. */
function encodeScrypt(password: string, N: number, r: number, p: number, saltBytes = 16, keyBytes = 32): string {
  const salt = randomBytes(saltBytes);
  const hash = scryptSync(password, salt, keyBytes, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return ["scrypt", N, r, p, salt.toString("base64"), hash.toString("base64")].join("$");
}

describe("strength check start-up", () => {
  // First in the file: nothing else may have called checkPasswordStrength yet.
  it("loads zxcvbn and its dictionaries at the first check, not at import", () => {
    const loaded = () => Object.keys(require.cache).some((file) => file.includes("@zxcvbn-ts"));
    expect(loaded()).toBe(false);
    checkPasswordStrength("zonnebloem-fiets-kaas-regen", {});
    expect(loaded()).toBe(true);
  });
});

describe("hashPassword and verifyPassword", () => {
  it("round-trips and records the parameters in the hash", async () => {
    const encoded = await hashPassword("zonnebloem-fiets-kaas-regen");
    expect(encoded).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword("zonnebloem-fiets-kaas-regen", encoded)).toBe(true);
  });

  it("refuses a wrong password, including one that differs only in case or a trailing space", async () => {
    const encoded = await hashPassword("zonnebloem-fiets-kaas-regen");
    expect(await verifyPassword("zonnebloem-fiets-kaas-rege", encoded)).toBe(false);
    expect(await verifyPassword("Zonnebloem-fiets-kaas-regen", encoded)).toBe(false);
    expect(await verifyPassword("zonnebloem-fiets-kaas-regen ", encoded)).toBe(false);
    expect(await verifyPassword("", encoded)).toBe(false);
  });

  it("salts every hash, so the same password never gives the same hash", async () => {
    const [a, b] = await Promise.all([hashPassword("hetzelfde-wachtwoord"), hashPassword("hetzelfde-wachtwoord")]);
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
    expect(await verifyPassword("hetzelfde-wachtwoord", b)).toBe(true);
  });

  it("treats composed and decomposed accents as the same password", async () => {
    const composed = "café-zeewind-tulp".normalize("NFC");
    const decomposed = composed.normalize("NFD");
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it("verifies a hash made with other parameters by reading them from the hash", async () => {
    const old = encodeScrypt("oud-wachtwoord-uit-2020", 2 ** 14, 8, 1);
    expect(await verifyPassword("oud-wachtwoord-uit-2020", old)).toBe(true);
    expect(await verifyPassword("oud-wachtwoord-uit-2021", old)).toBe(false);
  });

  it("returns false, without throwing, for anything that is not a valid hash", async () => {
    const good = await hashPassword("zonnebloem-fiets-kaas-regen");
    const [, N, r, p, salt, hash] = good.split("$") as [string, string, string, string, string, string];
    const flipped = `${hash[0] === "A" ? "B" : "A"}${hash.slice(1)}`;
    const malformed = [
      "",
      "scrypt",
      "not-a-hash",
      "$2b$12$abcdefghijklmnopqrstuuKHm3Yb1yx0m3dbRXtSz6Hw4XbbY.3Xa", // bcrypt
      ["bcrypt", N, r, p, salt, hash].join("$"),
      ["scrypt", N, r, p, salt].join("$"),
      [good, "extra"].join("$"),
      ["scrypt", "abc", r, p, salt, hash].join("$"),
      ["scrypt", "30000", r, p, salt, hash].join("$"), // not a power of two
      ["scrypt", "1", r, p, salt, hash].join("$"),
      ["scrypt", "-32768", r, p, salt, hash].join("$"),
      ["scrypt", String(2 ** 30), r, p, salt, hash].join("$"), // would need 128 GiB
      ["scrypt", N, "0", p, salt, hash].join("$"),
      ["scrypt", N, r, "99", salt, hash].join("$"),
      ["scrypt", N, r, p, "", hash].join("$"),
      ["scrypt", N, r, p, salt, ""].join("$"),
      ["scrypt", N, r, p, salt, "***not base64***"].join("$"),
      ["scrypt", N, r, p, salt, hash.slice(0, 8)].join("$"), // too short to be a hash
      ["scrypt", N, r, p, salt, flipped].join("$"),
    ];
    for (const encoded of malformed) {
      await expect(verifyPassword("zonnebloem-fiets-kaas-regen", encoded), encoded).resolves.toBe(false);
    }
    await expect(verifyPassword("zonnebloem-fiets-kaas-regen", null as unknown as string)).resolves.toBe(false);
  });
});

describe("needsRehash", () => {
  it("is false for a hash made today", async () => {
    expect(needsRehash(await hashPassword("zonnebloem-fiets-kaas-regen"))).toBe(false);
  });

  it("is true when any stored parameter is below today's", () => {
    expect(needsRehash(encodeScrypt("x", 2 ** 14, 8, 1))).toBe(true);
    expect(needsRehash(encodeScrypt("x", 2 ** 15, 4, 1))).toBe(true);
    expect(needsRehash(encodeScrypt("x", 2 ** 15, 8, 1, 8))).toBe(true);
    expect(needsRehash(encodeScrypt("x", 2 ** 15, 8, 1, 16, 16))).toBe(true);
  });

  it("is false when the stored parameters are stronger than today's", () => {
    expect(needsRehash(encodeScrypt("x", 2 ** 16, 8, 1))).toBe(false);
  });

  it("is true for something that is not one of our hashes", () => {
    expect(needsRehash("")).toBe(true);
    expect(needsRehash("$2b$12$abcdefghijklmnopqrstuuKHm3Yb1yx0m3dbRXtSz6Hw4XbbY.3Xa")).toBe(true);
  });
});

describe("checkPasswordStrength", () => {
  const staff = { email: "j.devries@gemeente.nl", name: "Jan de Vries" };

  it("accepts long passphrases", () => {
    expect(checkPasswordStrength("zonnebloem-fiets-kaas-regen", staff)).toBeUndefined();
    expect(checkPasswordStrength("correct horse battery staple", staff)).toBeUndefined();
    expect(checkPasswordStrength("horloge-tulp-zeewind-42", staff)).toBeUndefined();
    expect(checkPasswordStrength(generateToken(18), staff)).toBeUndefined();
  });

  it(`asks for at least ${PASSWORD_MIN_LENGTH} characters`, () => {
    expect(checkPasswordStrength("", {})).toBe(passwordMessages.tooShort);
    expect(checkPasswordStrength("tulp-zeewi7", {})).toBe(passwordMessages.tooShort);
    expect(checkPasswordStrength("tulp-zeewi7d", {})).toBeUndefined();
    expect(passwordMessages.tooShort).toBe("Kies een wachtwoord van minstens 12 tekens.");
  });

  it(`refuses more than ${PASSWORD_MAX_LENGTH} characters`, () => {
    const words = "zonnebloem fiets kaas regen horloge tulp zeewind ".repeat(5);
    expect(checkPasswordStrength(words.slice(0, PASSWORD_MAX_LENGTH), {})).toBeUndefined();
    expect(checkPasswordStrength(words.slice(0, PASSWORD_MAX_LENGTH + 1), {})).toBe(passwordMessages.tooLong);
  });

  it("counts characters as the user sees them (code points), not UTF-16 units", () => {
    const animals = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x1f400 + i)).join("");
    expect(animals(11).length).toBe(22);
    expect(checkPasswordStrength(animals(11), {})).toBe(passwordMessages.tooShort);
    expect(checkPasswordStrength(animals(12), {})).toBeUndefined();
    expect(animals(101).length).toBe(202);
    expect(checkPasswordStrength(animals(101), {})).toBeUndefined();
    expect(checkPasswordStrength(animals(201), {})).toBe(passwordMessages.tooLong);
  });

  it("refuses passwords from the list of common passwords, whatever their case", () => {
    expect(checkPasswordStrength("password1234", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("PASSWORD1234", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("qwertyuiop12", {})).toBe(passwordMessages.common);
  });

  it("refuses a common word with only digits or symbols around it, Dutch words included", () => {
    expect(checkPasswordStrength("welkom123456", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("Welkom2024!!", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("2024Wachtwoord!", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("P@ssw0rd2024!", {})).toBe(passwordMessages.common);
    expect(checkPasswordStrength("monkey-8374916283", {})).toBe(passwordMessages.common);
    // The same words inside a phrase are fine.
    expect(checkPasswordStrength("welkom-in-de-zeewind", {})).toBeUndefined();
  });

  it("refuses what zxcvbn finds easy to guess: repeats, sequences, keyboard patterns", () => {
    expect(checkPasswordStrength("aaaaaaaaaaaa", {})).toBe(passwordMessages.guessable);
    expect(checkPasswordStrength("abcdefghijklmnop", {})).toBe(passwordMessages.guessable);
    expect(checkPasswordStrength("1234567890ab", {})).toBe(passwordMessages.guessable);
    expect(checkPasswordStrength("qwertzuiopasdf", {})).toBe(passwordMessages.guessable);
    expect(checkPasswordStrength("1q2w3e4r5t6y7u", {})).toBe(passwordMessages.guessable);
    expect(checkPasswordStrength("trustno1trustno1", {})).toBe(passwordMessages.guessable);
  });

  it("refuses the e-mail's local part or the name, in any case", () => {
    expect(checkPasswordStrength("zeewind-j.devries-tulp", staff)).toBe(passwordMessages.personal);
    expect(checkPasswordStrength("DEVRIES-zonnebloem-kaas", staff)).toBe(passwordMessages.personal);
    expect(checkPasswordStrength("jan de vries zonnebloem", staff)).toBe(passwordMessages.personal);
    expect(checkPasswordStrength("JanDeVries-zonnebloem", staff)).toBe(passwordMessages.personal);
    expect(checkPasswordStrength("DEVRIES-zonnebloem-kaas", {})).toBeUndefined();
  });

  it("ignores a name or local part shorter than 4 characters", () => {
    expect(checkPasswordStrength("jan-zonnebloem-fiets", { name: "Jan", email: "jan@gemeente.nl" })).toBeUndefined();
    expect(checkPasswordStrength("jan-zonnebloem-fiets", { name: "Jans", email: "jans@gemeente.nl" })).toBeUndefined();
    expect(checkPasswordStrength("jans-zonnebloem-fiets", { name: "Jans" })).toBe(passwordMessages.personal);
    expect(checkPasswordStrength("jans-zonnebloem-fiets", { email: "jans@gemeente.nl" })).toBe(passwordMessages.personal);
  });
});

describe("tokens", () => {
  it("generates URL-safe random tokens of the asked size", () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(Buffer.from(generateToken(16), "base64url")).toHaveLength(16);
    expect(new Set(Array.from({ length: 100 }, () => generateToken())).size).toBe(100);
  });

  it("hashes a token with SHA-256 as hex", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const token = generateToken();
    expect(hashToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashToken(token)).not.toBe(hashToken(generateToken()));
  });
});
