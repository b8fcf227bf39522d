import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { MAX_PROBLEMS, validateAnswers, type AnswerValidation } from "../../server/surveys/validate-response.ts";

const catalog = loadSurveyCatalog();
const wmo = catalog.get("wmo", 1)!.definition;
const ouders = catalog.get("jeugd-ouders", 1)!.definition;
const jongeren = catalog.get("jeugd-jongeren", 1)!.definition;

// A municipality variant with every supported question type, for the checks the ten do not exercise.
const custom = catalog.forMunicipality("wmo", 1, {
  extraQuestions: [
    { type: "text", name: "gemeente_uren", inputType: "number", min: 0, max: 20, title: "Hoeveel uur hulp krijgt u per week?" },
    { type: "checkbox", name: "gemeente_onderwerpen", title: "Waar wilt u meer over weten?", choices: ["vervoer", "wonen", "werk", "geld"], minSelectedChoices: 2, maxSelectedChoices: 3 },
    { type: "boolean", name: "gemeente_mantelzorg", title: "Helpt een mantelzorger u?" },
    { type: "text", name: "gemeente_sinds", inputType: "date", title: "Sinds wanneer krijgt u hulp?" },
    { type: "dropdown", name: "gemeente_wijk", title: "In welke wijk woont u?", choices: ["noord", "zuid"] },
    { type: "radiogroup", name: "gemeente_verplicht", title: "Heeft u de folder gelezen?", choices: ["ja", "nee"], isRequired: true },
    { type: "comment", name: "gemeente_taxi", title: "Wat vindt u van de regiotaxi?", visibleIf: "{gemeente_mantelzorg} = true" },
  ],
}).definition;

const ALL_WMO = {
  wmo_wist_waar: 5,
  wmo_snel_geholpen: 4,
  wmo_serieus: 3,
  wmo_samen_oplossingen: 2,
  wmo_clientondersteuner: "nee",
  wmo_kwaliteit: 1,
  wmo_past: 0,
  wmo_dingen_doen: 5,
  wmo_beter_redden: 4,
  wmo_kwaliteit_leven: 4,
  rapportcijfer: 7,
  verbetering: "Sneller terugbellen, graag.",
  ingevuld_door: "ikzelf_met_hulp",
  contact_toestemming: "ja",
  contact_telefoon: "06 12345678",
};

const partial = (definition: object, answers: unknown, variables?: Record<string, boolean>) =>
  validateAnswers(definition, answers, { complete: false, variables });
const complete = (definition: object, answers: unknown, variables?: Record<string, boolean>) =>
  validateAnswers(definition, answers, { complete: true, variables });

/** The problem for `field`; fails when the payload was accepted or another field was named. */
function problemFor(result: AnswerValidation, field: string): string {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return "";
  expect(result.problems.map((p) => p.field)).toEqual([field]);
  return result.problems[0]!.message;
}

describe("valid answers", () => {
  it("runs survey-core in Node without a DOM", () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
    expect(partial(wmo, {}).ok).toBe(true);
  });

  it("accepts a partial save and returns the answers in questionnaire order", () => {
    const result = partial(wmo, { rapportcijfer: 8, wmo_serieus: 5, wmo_clientondersteuner: "ja" });
    expect(result).toEqual({ ok: true, answers: { wmo_serieus: 5, wmo_clientondersteuner: "ja", rapportcijfer: 8 }, dropped: [] });
  });

  it("accepts a complete Wmo response unchanged, and an empty one (every question may be skipped)", () => {
    expect(complete(wmo, ALL_WMO)).toEqual({ ok: true, answers: ALL_WMO, dropped: [] });
    expect(complete(wmo, {})).toEqual({ ok: true, answers: {}, dropped: [] });
  });

  it("accepts complete Jeugd responses", () => {
    const answers = { jeugd_makkelijk_hulp: 4, jeugd_hulp_past: 5, jeugd_meedoen: 0, jeugd_goed: "De gesprekken.", contact_toestemming: "nee" };
    expect(complete(ouders, answers)).toMatchObject({ ok: true, answers });
    expect(complete(jongeren, answers)).toMatchObject({ ok: true, answers });
  });

  it("accepts every supported type in a municipality's own questions", () => {
    const answers = {
      gemeente_uren: 12,
      gemeente_onderwerpen: ["wonen", "geld"],
      gemeente_mantelzorg: true,
      gemeente_sinds: "2026-03-01",
      gemeente_wijk: "noord",
      gemeente_verplicht: "ja",
      gemeente_taxi: "Prima.",
    };
    expect(complete(custom, answers)).toMatchObject({ ok: true, answers });
  });

  it("treats null, empty text and an empty list as not answered", () => {
    expect(partial(custom, { wmo_serieus: null, verbetering: "   ", gemeente_onderwerpen: [], gemeente_sinds: "" })).toEqual({ ok: true, answers: {}, dropped: [] });
  });
});

describe("tampered answers are refused with a Dutch reason naming the field", () => {
  it("an unknown key (reported, not silently dropped)", () => {
    expect(problemFor(partial(wmo, { wmo_serieus: 4, wmo_extra: 5 }), "wmo_extra")).toBe('Het veld "wmo_extra" hoort niet bij deze vragenlijst.');
  });

  it("a choice that is not in the list", () => {
    expect(problemFor(partial(wmo, { wmo_clientondersteuner: "misschien" }), "wmo_clientondersteuner")).toMatch(
      /^Het antwoord op vraag "Wist u dat u gebruik kon maken .*" \(wmo_clientondersteuner\) klopt niet: "misschien" is geen van de antwoorden; kies uit "ja", "nee"\.$/,
    );
    expect(problemFor(partial(wmo, { ingevuld_door: "de buurvrouw" }), "ingevuld_door")).toContain('"de buurvrouw" is geen van de antwoorden');
    expect(problemFor(partial(custom, { gemeente_wijk: "oost" }), "gemeente_wijk")).toContain('kies uit "noord", "zuid"');
  });

  it("a rating outside the scale: 9, -1, 3.5, or a grade of 11", () => {
    expect(problemFor(partial(wmo, { wmo_serieus: 9 }), "wmo_serieus")).toBe(
      'Het antwoord op vraag "De medewerker nam mij serieus." (wmo_serieus) klopt niet: 9 is geen van de antwoorden; kies uit 5, 4, 3, 2, 1, 0.',
    );
    expect(problemFor(partial(wmo, { wmo_past: -1 }), "wmo_past")).toContain("-1 is geen van de antwoorden");
    expect(problemFor(partial(ouders, { jeugd_meedoen: 3.5 }), "jeugd_meedoen")).toContain("3.5 is geen van de antwoorden");
    expect(problemFor(partial(wmo, { rapportcijfer: 11 }), "rapportcijfer")).toContain("kies uit 1, 2, 3, 4, 5, 6, 7, 8, 9, 10");
    expect(problemFor(partial(wmo, { rapportcijfer: 0 }), "rapportcijfer")).toContain("0 is geen van de antwoorden");
  });

  it('a string for a number ("4" for 4)', () => {
    expect(problemFor(partial(wmo, { wmo_serieus: "4" }), "wmo_serieus")).toContain('dit moet een getal zijn, geen tekst: stuur 4 in plaats van "4"');
    expect(problemFor(partial(custom, { gemeente_uren: "12" }), "gemeente_uren")).toContain('stuur 12 in plaats van "12"');
  });

  it("text in a number field, and a number out of range", () => {
    expect(problemFor(partial(custom, { gemeente_uren: "veel" }), "gemeente_uren")).toContain('dit moet een getal zijn, niet de tekst "veel"');
    expect(problemFor(partial(custom, { gemeente_uren: 25 }), "gemeente_uren")).toMatch(/klopt niet: De waarde mag niet groter zijn dan 20/);
  });

  it("too many checkbox choices, a repeated one, one not in the list, or no list at all", () => {
    expect(problemFor(partial(custom, { gemeente_onderwerpen: ["vervoer", "wonen", "werk", "geld"] }), "gemeente_onderwerpen")).toContain(
      "er zijn 4 antwoorden gekozen, maar hoogstens 3 mag",
    );
    expect(problemFor(partial(custom, { gemeente_onderwerpen: ["wonen", "wonen"] }), "gemeente_onderwerpen")).toContain("twee keer");
    expect(problemFor(partial(custom, { gemeente_onderwerpen: ["wonen", "zorg"] }), "gemeente_onderwerpen")).toContain('"zorg" is geen van de antwoorden');
    expect(problemFor(partial(custom, { gemeente_onderwerpen: "wonen" }), "gemeente_onderwerpen")).toContain("dit moet een lijst van antwoorden zijn");
  });

  it("a boolean that is not true or false", () => {
    for (const value of ["true", 1, "ja"]) {
      expect(problemFor(partial(custom, { gemeente_mantelzorg: value }), "gemeente_mantelzorg")).toContain("dit moet true of false zijn");
    }
  });

  it("over-long free text, a control character, an invalid date or phone number, an object for an answer", () => {
    expect(partial(wmo, { verbetering: "x".repeat(2000) }).ok).toBe(true);
    expect(problemFor(partial(wmo, { verbetering: "x".repeat(2001) }), "verbetering")).toContain("de tekst is te lang: hoogstens 2000 tekens, niet 2001");
    expect(problemFor(partial(wmo, { contact_toestemming: "ja", contact_telefoon: "0".repeat(21) }), "contact_telefoon")).toContain("hoogstens 20 tekens");
    expect(problemFor(partial(wmo, { verbetering: "a\u0000b" }), "verbetering")).toContain("ongeldig teken");
    expect(problemFor(partial(custom, { gemeente_sinds: "gisteren" }), "gemeente_sinds")).toContain("dit moet een datum zijn als 2026-12-31");
    expect(problemFor(partial(wmo, { contact_toestemming: "ja", contact_telefoon: "bel me maar" }), "contact_telefoon")).toContain(
      "klopt niet: Vul een telefoonnummer in, bijvoorbeeld 06 12345678.",
    );
    expect(problemFor(partial(wmo, { wmo_serieus: { $gt: 0 } }), "wmo_serieus")).toContain("dit moet één antwoord zijn, niet een object");
    expect(problemFor(partial(wmo, { verbetering: ["a"] }), "verbetering")).toContain("dit moet tekst zijn, niet een lijst");
  });

  it("the variable telefoon_bekend sent as an answer", () => {
    expect(problemFor(partial(wmo, { telefoon_bekend: true }), "telefoon_bekend")).toContain("wordt door Luisterpost zelf ingevuld");
  });

  it("names every problem at once", () => {
    const result = partial(wmo, { wmo_serieus: 9, wmo_past: "4", onbekend: 1, ingevuld_door: "x" });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(["wmo_serieus", "wmo_past", "onbekend", "ingevuld_door"]);
  });
});

describe("partial and complete saves", () => {
  it("a partial save may leave out required answers and stop below a checkbox minimum; completing may not", () => {
    expect(partial(custom, { gemeente_onderwerpen: ["wonen"] }).ok).toBe(true);
    const result = complete(custom, { gemeente_onderwerpen: ["wonen"] });
    expect(result.ok ? [] : result.problems.map((p) => p.field).sort()).toEqual(["gemeente_onderwerpen", "gemeente_verplicht"]);
    expect(result.ok ? "" : result.problems.find((p) => p.field === "gemeente_verplicht")!.message).toBe(
      'Het antwoord op vraag "Heeft u de folder gelezen?" (gemeente_verplicht) ontbreekt; deze vraag moet worden ingevuld.',
    );
  });

  it("a partial save never accepts an invalid answer", () => {
    expect(partial(custom, { gemeente_onderwerpen: ["wonen", "vervoer", "werk", "geld"] }).ok).toBe(false);
    expect(partial(wmo, { wmo_serieus: 9 }).ok).toBe(false);
  });
});

describe("answers to hidden questions", () => {
  it("drops a phone number when consent is 'nee' or not given, and says so", () => {
    expect(complete(wmo, { contact_toestemming: "nee", contact_telefoon: "0612345678" })).toEqual({
      ok: true,
      answers: { contact_toestemming: "nee" },
      dropped: ["contact_telefoon"],
    });
    expect(partial(wmo, { contact_telefoon: "0612345678" })).toEqual({ ok: true, answers: {}, dropped: ["contact_telefoon"] });
  });

  it("drops it when the number is already known, keeps it when it is not", () => {
    const answers = { contact_toestemming: "ja", contact_telefoon: "0612345678" };
    expect(complete(wmo, answers, { telefoon_bekend: true })).toEqual({ ok: true, answers: { contact_toestemming: "ja" }, dropped: ["contact_telefoon"] });
    expect(complete(wmo, answers, { telefoon_bekend: false })).toEqual({ ok: true, answers, dropped: [] });
    expect(complete(jongeren, answers)).toEqual({ ok: true, answers, dropped: [] });
  });

  it("drops answers of a municipality question whose condition is not met, but refuses a wrong type even when hidden", () => {
    expect(partial(custom, { gemeente_mantelzorg: false, gemeente_taxi: "Goed" })).toEqual({ ok: true, answers: { gemeente_mantelzorg: false }, dropped: ["gemeente_taxi"] });
    expect(problemFor(partial(wmo, { contact_toestemming: "nee", contact_telefoon: 612345678 }), "contact_telefoon")).toContain("dit moet tekst zijn");
  });
});

describe("garbage never throws", () => {
  it("refuses anything that is not an object with one clear problem", () => {
    for (const garbage of [null, undefined, [], [1, 2], "wmo_serieus=4", 42, true, () => 1]) {
      const result = partial(wmo, garbage);
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.problems[0]!.message).toMatch(/^Stuur de antwoorden als JSON-object/);
    }
  });

  it("handles nested objects, huge strings and huge numbers of keys", () => {
    const nested: Record<string, unknown> = {};
    let cursor = nested;
    for (let i = 0; i < 1000; i++) cursor = (cursor.a = {}) as Record<string, unknown>;
    expect(problemFor(partial(wmo, { verbetering: nested }), "verbetering")).toContain("niet een object");
    expect(problemFor(partial(wmo, { verbetering: "x".repeat(5_000_000) }), "verbetering")).toContain("niet 5000000");
    expect(problemFor(partial(wmo, { ["k".repeat(10_000)]: 1 }), `${"k".repeat(99)}…`)).toContain("hoort niet bij deze vragenlijst");

    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`veld_${i}`, i]));
    const result = partial(wmo, many);
    expect(result.ok ? [] : result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.ok ? "" : result.problems.at(-1)!.message).toBe(`En nog ${10_000 - MAX_PROBLEMS} andere problemen met de antwoorden.`);
    expect(problemFor(partial(wmo, JSON.parse('{"__proto__": {"wmo_serieus": 4}}')), "__proto__")).toContain("hoort niet bij");
  });

  it("property: any JSON never throws, and accepted answers validate again to the same result", () => {
    const keys = [...Object.keys(ALL_WMO), "gemeente_uren", "gemeente_onderwerpen", "gemeente_mantelzorg", "gemeente_sinds", "telefoon_bekend", "x"];
    const answerValue = fc.oneof(
      { arbitrary: fc.constantFrom(0, 1, 4, 5, "ja", "nee", true, false, null, "", [], ["wonen", "geld"], "Goed", "2026-01-31"), weight: 6 },
      { arbitrary: fc.constantFrom(9, "4", "misschien", ["wonen"], { a: 1 }), weight: 1 },
      { arbitrary: fc.jsonValue(), weight: 1 },
    );
    const payload = fc.oneof({ arbitrary: fc.dictionary(fc.constantFrom(...keys), answerValue, { maxKeys: 3 }), weight: 4 }, { arbitrary: fc.jsonValue(), weight: 1 });
    let accepted = 0;
    fc.assert(
      fc.property(payload, fc.boolean(), (answers, done) => {
        const result = validateAnswers(custom, answers, { complete: done });
        if (!result.ok) {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) expect(p.message).toMatch(/^(Het |Stuur |En nog )/);
          return;
        }
        accepted++;
        expect(validateAnswers(custom, result.answers, { complete: done })).toEqual({ ok: true, answers: result.answers, dropped: [] });
      }),
      { numRuns: 200 },
    );
    // Roughly one payload in seven is acceptable; the bar only proves the property did not pass vacuously.
    expect(accepted).toBeGreaterThan(10);
  });
});

describe("a frozen definition reuses one model", () => {
  it("property: a reused model gives exactly the verdict a fresh one gives, whatever came before", { timeout: 60_000 }, () => {
    const frozen = JSON.parse(JSON.stringify(custom)) as Record<string, unknown>;
    const freeze = (value: unknown): unknown => {
      if (value && typeof value === "object") {
        Object.freeze(value);
        for (const child of Object.values(value)) freeze(child);
      }
      return value;
    };
    freeze(frozen);
    const keys = [...Object.keys(ALL_WMO), "gemeente_uren", "gemeente_onderwerpen", "gemeente_mantelzorg", "contact_telefoon", "x"];
    const value = fc.constantFrom(0, 1, 2, 4, 5, 9, "ja", "nee", true, null, "", ["wonen"], "0612345678", "Goed");
    const payload = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 });
    const variables = fc.record({ telefoon_bekend: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.tuple(payload, fc.boolean(), variables), { minLength: 2, maxLength: 6 }), (sequence) => {
        for (const [answers, complete, vars] of sequence) {
          // A fresh, unfrozen copy builds its own model every time.
          const fresh = JSON.parse(JSON.stringify(custom)) as Record<string, unknown>;
          expect(validateAnswers(frozen, answers, { complete, variables: vars })).toEqual(validateAnswers(fresh, answers, { complete, variables: vars }));
        }
      }),
      { numRuns: 80 },
    );
  });
});
