import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, checkPaperCode, formatPaperCode, generateLinkToken, generatePaperCode, hashSecret } from "../../server/invitations/codes.ts";

describe("link tokens", () => {
  it("carry 128 random bits, URL-safe, and differ every time", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateLinkToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hashSecret("abc")).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("paper codes", () => {
  it("use only unambiguous characters and pass their own check", () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(CODE_ALPHABET).toHaveLength(32);
    for (let i = 0; i < 500; i += 1) {
      const code = generatePaperCode();
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{9}$`));
      expect(checkPaperCode(code)).toEqual({ ok: true, code });
    }
  });

  it("accept what a person types: lower case, spaces, dashes", () => {
    const code = generatePaperCode();
    expect(checkPaperCode(` ${formatPaperCode(code).toLowerCase()} `)).toEqual({ ok: true, code });
    expect(formatPaperCode(code)).toMatch(/^.{4}-.{4}-.$/);
  });

  it("catch every single-character typo and nearly every swap of neighbours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: CODE_ALPHABET.length - 1 }), (position, shift) => {
        const code = generatePaperCode();
        const wrong = code.slice(0, position) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[position]!) + shift) % CODE_ALPHABET.length] + code.slice(position + 1);
        expect(checkPaperCode(wrong)).toEqual({ ok: false, reason: "check" });
      }),
    );
    let swaps = 0;
    let caught = 0;
    for (let i = 0; i < 2000; i += 1) {
      const code = generatePaperCode();
      const position = i % 8;
      if (code[position] === code[position + 1]) continue;
      swaps += 1;
      const swapped = code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2);
      if (!checkPaperCode(swapped).ok) caught += 1;
    }
    expect(caught / swaps).toBeGreaterThan(0.95);
  });

  it("say what is wrong with other input", () => {
    expect(checkPaperCode("")).toEqual({ ok: false, reason: "empty" });
    expect(checkPaperCode("ABCD")).toEqual({ ok: false, reason: "length" });
    expect(checkPaperCode("ABCD-EFGH-0")).toEqual({ ok: false, reason: "characters" });
    expect(checkPaperCode("OBCD-EFGH-J")).toEqual({ ok: false, reason: "characters" });
  });
});
