// The two small guards of this feature: the identifying-details check on quotes, and the shared cell helper
// (server/exports/cells.ts) that keeps exported text from running as a formula in Excel.
import { describe, expect, it } from "vitest";
import { safeCell, safeCsvRow, safeText } from "../../server/exports/cells.ts";
import { checkQuote, highlightQuote } from "../../server/followups/quotes.check.ts";

const kinds = (text: string) => checkQuote(text).map((f) => [f.kind, f.match]);

describe("the identifying-details check on quotes", () => {
  it("passes a plain quote", () => {
    expect(checkQuote("Ik moest heel lang wachten en niemand belde terug. De hulp zelf is nu wel goed.")).toEqual([]);
    expect(checkQuote("Bij de WMO en het CJG weten ze niet van elkaar wat ze doen.")).toEqual([]);
  });

  it("flags phone numbers in the ways people write them, and long numbers", () => {
    expect(kinds("Bel me op 06-12345678 als het kan.")).toEqual([["phone", "06-12345678"]]);
    expect(kinds("Mijn nummer is +31 6 1234 5678.")).toEqual([["phone", "+31 6 1234 5678"]]);
    expect(kinds("Of thuis (010) 123 45 67")).toEqual([["phone", "(010) 123 45 67"]]);
    expect(kinds("Mijn BSN is 123456782, staat op de brief.")).toEqual([["number", "123456782"]]);
    // Years and amounts are no phone numbers.
    expect(checkQuote("Sinds 2024 betaal ik 21,10 euro per maand.")).toEqual([]);
  });

  it("flags e-mail addresses, postcodes and street names", () => {
    expect(kinds("Mail naar a.jansen@example.nl maar.")).toEqual([["email", "a.jansen@example.nl"]]);
    expect(kinds("ik woon op 3831 AB, vlak bij het station")).toEqual([["postcode", "3831 AB"]]);
    expect(kinds("ik woon op 3831ab")).toEqual([["postcode", "3831ab"]]);
    expect(kinds("ik woon aan de Dorpsstraat 12A en de bus stopt niet meer")).toEqual([["address", "Dorpsstraat 12A"]]);
  });

  it("flags capitalised words that may be names, also after a title at the start of a sentence", () => {
    expect(kinds("De hulp van Fatima was fijn.")).toEqual([["name", "Fatima"]]);
    expect(kinds("Mevrouw Jansen van het team belde nooit terug.")).toEqual([["name", "Jansen"]]);
    expect(kinds("Het was goed. Toen kwam Piet de Vries langs.")).toEqual([
      ["name", "Piet"],
      ["name", "Vries"],
    ]);
  });

  it("cuts the text into highlighted pieces that join to the original", () => {
    const text = "Bel 06-12345678 of mail a@example.nl, groet van Kees.";
    const pieces = highlightQuote(text, checkQuote(text));
    expect(pieces.map((p) => p.text).join("")).toBe(text);
    expect(pieces.filter((p) => p.flag).map((p) => p.flag!.kind)).toEqual(["phone", "email", "name"]);
  });
});

describe("export cells against formula injection", () => {
  it("prefixes texts that a spreadsheet would run", () => {
    for (const value of ["=1+1", "+31612345678", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]) {
      expect(safeText(value)).toBe(`'${value}`);
    }
    expect(safeText("=HYPERLINK(\"http://example.test\")")).toBe("'=HYPERLINK(\"http://example.test\")");
  });

  it("leaves ordinary texts, numbers, dates and empty cells alone", () => {
    expect(safeText("Opgelost")).toBe("Opgelost");
    expect(safeText("a=b")).toBe("a=b");
    expect(safeCell(-3)).toBe(-3);
    expect(safeCell(null)).toBeNull();
    expect(safeCell(Number.NaN)).toBeNull();
    const date = new Date("2026-10-01T10:00:00Z");
    expect(safeCell(date)).toBe(date);
    expect(safeCsvRow(["=x", 2, true, null, date])).toEqual(["'=x", "2", "ja", "", "2026-10-01T10:00:00.000Z"]);
  });
});
