// Authenticator codes and recovery codes. Expected codes come from otpauth itself and from RFC 6238's
// published test vectors, never from the module under test.
import { createHash } from "node:crypto";
import { Secret, TOTP, URI } from "otpauth";
import { describe, expect, it } from "vitest";
import {
  RECOVERY_ALPHABET,
  createTotpSecret,
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  totpQrSvgDataUri,
  totpUri,
  verifyTotp,
} from "../../server/accounts/totp.ts";

const PERIOD_MS = 30_000;
// Ten seconds into a step, so "one step earlier" and "one step later" are unambiguous.
const NOW = Date.UTC(2026, 2, 17, 9, 30, 10);
const STEP = Math.floor(NOW / PERIOD_MS);

function codeAt(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp });
}

describe("createTotpSecret", () => {
  it("gives 20 random bytes in base32", () => {
    const secret = createTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    expect(createTotpSecret()).not.toBe(secret);
  });
});

describe("verifyTotp", () => {
  const secret = createTotpSecret();

  it("accepts the code an app shows now and returns its time step", () => {
    expect(verifyTotp({ secret, code: codeAt(secret, NOW), lastUsedStep: null, now: NOW })).toEqual({ ok: true, step: STEP });
  });

  it("uses the real clock when no time is given", () => {
    const result = verifyTotp({ secret, code: codeAt(secret, Date.now()), lastUsedStep: null });
    expect(result.ok).toBe(true);
  });

  it("matches RFC 6238's test vectors (SHA1, last 6 of 8 digits)", () => {
    const rfcSecret = new Secret({ buffer: new TextEncoder().encode("12345678901234567890").buffer }).base32;
    expect(verifyTotp({ secret: rfcSecret, code: "287082", lastUsedStep: null, now: 59_000 })).toEqual({ ok: true, step: 1 });
    expect(verifyTotp({ secret: rfcSecret, code: "081804", lastUsedStep: null, now: 1_111_111_109_000 })).toEqual({
      ok: true,
      step: 37_037_036,
    });
    expect(verifyTotp({ secret: rfcSecret, code: "287083", lastUsedStep: null, now: 59_000 })).toEqual({ ok: false });
  });

  it("accepts a code from one step before or after, for a clock that is a little off", () => {
    expect(verifyTotp({ secret, code: codeAt(secret, NOW - PERIOD_MS), lastUsedStep: null, now: NOW })).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyTotp({ secret, code: codeAt(secret, NOW + PERIOD_MS), lastUsedStep: null, now: NOW })).toEqual({ ok: true, step: STEP + 1 });
  });

  it("refuses a code from two steps away", () => {
    for (const offset of [-2, 2, -10]) {
      const code = codeAt(secret, NOW + offset * PERIOD_MS);
      // A six-digit code can collide with a neighbouring step by chance; such a code would be valid.
      const collides = [-1, 0, 1].some((d) => codeAt(secret, NOW + d * PERIOD_MS) === code);
      if (!collides) expect(verifyTotp({ secret, code, lastUsedStep: null, now: NOW }), String(offset)).toEqual({ ok: false });
    }
  });

  it("refuses a code for another secret", () => {
    const other = createTotpSecret();
    expect(verifyTotp({ secret, code: codeAt(other, NOW), lastUsedStep: null, now: NOW }).ok).toBe(
      codeAt(other, NOW) === codeAt(secret, NOW),
    );
  });

  it("refuses a replayed code: any step at or before the last one used", () => {
    const code = codeAt(secret, NOW);
    const first = verifyTotp({ secret, code, lastUsedStep: STEP - 1, now: NOW });
    expect(first).toEqual({ ok: true, step: STEP });
    expect(verifyTotp({ secret, code, lastUsedStep: STEP, now: NOW })).toEqual({ ok: false });
    // Still refused half a minute later, while the code is inside the window as "one step ago".
    expect(verifyTotp({ secret, code, lastUsedStep: STEP, now: NOW + PERIOD_MS })).toEqual({ ok: false });
    // An older code cannot be used after a newer one either.
    expect(verifyTotp({ secret, code: codeAt(secret, NOW - PERIOD_MS), lastUsedStep: STEP, now: NOW })).toEqual({ ok: false });
    // The next code is fine.
    expect(verifyTotp({ secret, code: codeAt(secret, NOW + PERIOD_MS), lastUsedStep: STEP, now: NOW + PERIOD_MS })).toEqual({
      ok: true,
      step: STEP + 1,
    });
  });

  it("ignores spaces typed inside the code", () => {
    const code = codeAt(secret, NOW);
    for (const typed of [`${code.slice(0, 3)} ${code.slice(3)}`, ` ${code} `, code.split("").join(" ")]) {
      expect(verifyTotp({ secret, code: typed, lastUsedStep: null, now: NOW }), typed).toEqual({ ok: true, step: STEP });
    }
  });

  it("refuses anything that is not six digits", () => {
    const code = codeAt(secret, NOW);
    const malformed = ["", "      ", code.slice(0, 5), `${code}0`, `${code.slice(0, 5)}a`, `${code.slice(0, 3)}-${code.slice(3)}`, "１２３４５６", `+${code.slice(1)}`];
    for (const typed of malformed) {
      expect(verifyTotp({ secret, code: typed, lastUsedStep: null, now: NOW }), typed).toEqual({ ok: false });
    }
    expect(verifyTotp({ secret, code: undefined as unknown as string, lastUsedStep: null, now: NOW })).toEqual({ ok: false });
  });
});

describe("totpUri and totpQrSvgDataUri", () => {
  const secret = createTotpSecret();

  it("builds an otpauth:// URI with issuer, account and secret that an app can read", () => {
    const uri = totpUri({ secret, account: "j.devries@gemeente.nl" });
    const url = new URL(uri);
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe("/Luisterpost:j.devries@gemeente.nl");
    expect(url.searchParams.get("issuer")).toBe("Luisterpost");
    expect(url.searchParams.get("secret")).toBe(secret);
    expect(url.searchParams.get("algorithm")).toBe("SHA1");
    expect(url.searchParams.get("digits")).toBe("6");
    expect(url.searchParams.get("period")).toBe("30");

    const parsed = URI.parse(uri);
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed.label).toBe("j.devries@gemeente.nl");
    expect(parsed.generate({ timestamp: NOW })).toBe(codeAt(secret, NOW));
  });

  it("takes another issuer", () => {
    const url = new URL(totpUri({ secret, account: "a@b.nl", issuer: "Luisterpost test" }));
    expect(url.searchParams.get("issuer")).toBe("Luisterpost test");
  });

  it("renders the URI as an SVG QR code in a data URI", async () => {
    const dataUri = await totpQrSvgDataUri(totpUri({ secret, account: "j.devries@gemeente.nl" }));
    const prefix = "data:image/svg+xml;base64,";
    expect(dataUri.startsWith(prefix)).toBe(true);
    const svg = Buffer.from(dataUri.slice(prefix.length), "base64").toString("utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).not.toContain("<script");
    // A different URI gives a different picture.
    expect(await totpQrSvgDataUri(totpUri({ secret: createTotpSecret(), account: "j.devries@gemeente.nl" }))).not.toBe(dataUri);
  });
});

describe("recovery codes", () => {
  it("gives 10 unique codes of 10 characters from the unambiguous alphabet, grouped by five", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const group = `[${RECOVERY_ALPHABET}]{5}`;
    for (const code of codes) expect(code).toMatch(new RegExp(`^${group}-${group}$`));
    expect(RECOVERY_ALPHABET).not.toMatch(/[0o1il]/i);
  });

  it("uses the whole alphabet and nothing else", () => {
    const seen = new Set(generateRecoveryCodes(200).join("").replaceAll("-", ""));
    expect([...seen].sort().join("")).toBe([...RECOVERY_ALPHABET].sort().join(""));
  });

  it("gives as many as asked", () => {
    expect(generateRecoveryCodes(3)).toHaveLength(3);
    expect(generateRecoveryCodes(0)).toEqual([]);
  });

  it("normalises what was typed: case, spaces and dashes do not matter", () => {
    expect(normalizeRecoveryCode("ABCDE-fghjk ")).toBe("abcdefghjk");
    expect(normalizeRecoveryCode("  abcde fghjk")).toBe("abcdefghjk");
    expect(normalizeRecoveryCode("abcde\u2013fghjk")).toBe("abcdefghjk");
    const [code] = generateRecoveryCodes(1) as [string];
    expect(normalizeRecoveryCode(code)).toBe(code.replace("-", ""));
  });

  it("hashes the normalised code with SHA-256, stable across spellings", () => {
    const expected = createHash("sha256").update("abcdefghjk").digest("hex");
    expect(hashRecoveryCode("abcdefghjk")).toBe(expected);
    expect(hashRecoveryCode("ABCDE-fghjk ")).toBe(expected);
    expect(hashRecoveryCode("abcde-fghjm")).not.toBe(expected);
  });
});
