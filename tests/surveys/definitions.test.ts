import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Model, surveyLocalization } from "survey-core";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SURVEYS_DIR, SurveyDefinitionError, loadSurveyCatalog, type SurveyCatalog } from "../../server/surveys/surveys.loader.ts";

// Copied by hand from docs DOMAIN.md ("The ten standard Wmo questions"), not from the code under test.
const DOMAIN_TEN = [
  ["wmo_wist_waar", "Ik wist waar ik moest zijn met mijn hulpvraag.", "toegang"],
  ["wmo_snel_geholpen", "Ik werd snel geholpen.", "toegang"],
  ["wmo_serieus", "De medewerker nam mij serieus.", "toegang"],
  ["wmo_samen_oplossingen", "De medewerker en ik hebben in het gesprek samen naar oplossingen gezocht.", "toegang"],
  ["wmo_clientondersteuner", "Wist u dat u gebruik kon maken van een onafhankelijke cliëntondersteuner?", "toegang"],
  ["wmo_kwaliteit", "Ik vind de kwaliteit van de ondersteuning die ik krijg goed.", "kwaliteit"],
  ["wmo_past", "De ondersteuning die ik krijg past bij mijn hulpvraag.", "kwaliteit"],
  ["wmo_dingen_doen", "Door de ondersteuning die ik krijg, kan ik beter de dingen doen die ik wil.", "effect"],
  ["wmo_beter_redden", "Door de ondersteuning die ik krijg, kan ik mij beter redden.", "effect"],
  ["wmo_kwaliteit_leven", "Door de ondersteuning die ik krijg, heb ik een betere kwaliteit van leven.", "effect"],
] as const;
const DOMAIN_SCALE = [
  [5, "Helemaal mee eens"],
  [4, "Mee eens"],
  [3, "Neutraal"],
  [2, "Niet mee eens"],
  [1, "Helemaal niet mee eens"],
  [0, "Weet niet / niet van toepassing"],
] as const;

type Json = Record<string, any>;
const readRaw = (file: string): Json => JSON.parse(readFileSync(path.join(DEFAULT_SURVEYS_DIR, file), "utf8"));
const elementsOf = (json: Json): Json[] => json.pages.flatMap((p: Json) => p.elements);
const nl = (value: unknown) => (typeof value === "string" ? value : (value as Json).default);

const tmpRoots: string[] = [];
afterAll(() => tmpRoots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of surveys/ with `tamper` applied; returns the SurveyDefinitionError problems (fails if it loads). */
function problemsAfter(tamper: (edit: (file: string, change: (json: Json) => void) => void, dir: string) => void): string[] {
  const root = mkdtempSync(path.join(tmpdir(), "luisterpost-surveys-"));
  tmpRoots.push(root);
  const dir = path.join(root, "surveys");
  cpSync(DEFAULT_SURVEYS_DIR, dir, { recursive: true });
  tamper((file, change) => {
    const json = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
    change(json);
    writeFileSync(path.join(dir, file), JSON.stringify(json, null, 2));
  }, dir);
  try {
    loadSurveyCatalog({ dir });
  } catch (error) {
    expect(error).toBeInstanceOf(SurveyDefinitionError);
    expect((error as Error).message).toMatch(/^De vragenlijsten kloppen niet:/);
    return (error as SurveyDefinitionError).problems;
  }
  throw new Error("the tampered copy loaded without complaint");
}

describe("the shipped questionnaires", () => {
  const catalog: SurveyCatalog = loadSurveyCatalog();

  it("load and validate at start-up", () => {
    expect(catalog.entries.map((e) => `${e.id} v${e.version} ${e.law} ${e.audience}`)).toEqual([
      "jeugd-jongeren v1 jeugd jongeren",
      "jeugd-ouders v1 jeugd ouders",
      "wmo v1 wmo clienten",
    ]);
    expect(catalog.latest("wmo")?.version).toBe(1);
    expect(catalog.get("wmo", 1)?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(catalog.get("wmo", 2)).toBeUndefined();
    expect(catalog.latest("onbekend")).toBeUndefined();
  });

  it("Wmo starts with the ten standard questions exactly as in DOMAIN.md, on the 5..0 scale", () => {
    const raw = readRaw("wmo/v1.json");
    const elements = elementsOf(raw);
    expect(elements.slice(0, 10).map((e) => [e.name, nl(e.title)])).toEqual(DOMAIN_TEN.map(([key, text]) => [key, text]));
    for (const element of elements.slice(0, 10)) {
      if (element.name === "wmo_clientondersteuner") {
        expect(element.type).toBe("radiogroup");
        expect(element.choices.map((c: Json) => [c.value, nl(c.text)])).toEqual([["ja", "Ja"], ["nee", "Nee"]]);
      } else {
        expect(element.type).toBe("rating");
        expect(element.displayMode).toBe("buttons");
        expect(element.rateValues.map((r: Json) => [r.value, nl(r.text)])).toEqual(DOMAIN_SCALE);
      }
    }
    const meta = catalog.get("wmo", 1)!.meta;
    expect(meta.questions.slice(0, 10).map((q) => [q.key, q.theme, q.standard])).toEqual(DOMAIN_TEN.map(([key, , theme]) => [key, theme, true]));
    expect(meta.codes.agreement).toEqual({ agree: [4, 5], neutral: [3], disagree: [1, 2], dontKnow: [0] });
  });

  it("Wmo has the optional blocks from DOMAIN.md with stable keys", () => {
    const byKey = new Map(elementsOf(readRaw("wmo/v1.json")).map((e) => [e.name, e]));
    expect(nl(byKey.get("rapportcijfer")!.title)).toBe("Welk rapportcijfer geeft u de ondersteuning die u krijgt?");
    expect([byKey.get("rapportcijfer")!.rateMin, byKey.get("rapportcijfer")!.rateMax]).toEqual([1, 10]);
    expect(byKey.get("ingevuld_door")!.choices.map((c: Json) => [c.value, nl(c.text)])).toEqual([
      ["ikzelf", "Ikzelf"],
      ["ikzelf_met_hulp", "Ikzelf met hulp"],
      ["iemand_anders", "Iemand anders namens mij"],
    ]);
    expect(byKey.get("verbetering")!.type).toBe("comment");
    expect(nl(byKey.get("contact_toestemming")!.title)).toBe("Mogen wij contact met u opnemen om over uw antwoorden te praten?");
    expect(byKey.get("contact_telefoon")).toMatchObject({ type: "text", inputType: "tel", visibleIf: "{contact_toestemming} = 'ja' and {telefoon_bekend} != true" });
    const meta = catalog.get("wmo", 1)!.meta;
    expect(meta.blocks).toEqual([
      { id: "grade", questions: ["rapportcijfer"] },
      { id: "improvement", questions: ["verbetering"] },
      { id: "filled_in_by", questions: ["ingevuld_door"] },
      { id: "consent", questions: ["contact_toestemming", "contact_telefoon"] },
    ]);
    expect(meta.roles).toEqual({ consent: "contact_toestemming", filledInBy: "ingevuld_door", grade: "rapportcijfer", improvement: "verbetering", phone: "contact_telefoon" });
  });

  it("Jeugd: six statements and three open questions, anonymous, the same consent block; 'u' for parents, 'je' for young people", () => {
    for (const [id, pronoun, wrong] of [["jeugd-ouders", /\b(u|uw)\b/, /\b(je|jij)\b/], ["jeugd-jongeren", /\b(je|jij)\b/, /\b(u|uw)\b/]] as const) {
      const entry = catalog.get(id, 1)!;
      expect(entry.meta.anonymous).toBe(true);
      const core = entry.meta.questions.filter((q) => q.standard);
      expect(core.filter((q) => q.kind === "agreement")).toHaveLength(6);
      expect(core.filter((q) => q.kind === "open")).toHaveLength(3);
      expect(new Set(core.map((q) => q.theme).filter(Boolean))).toEqual(new Set(["toegang", "kwaliteit", "effect"]));
      expect(entry.meta.blocks).toEqual([{ id: "consent", questions: ["contact_toestemming", "contact_telefoon"] }]);
      const texts = elementsOf(readRaw(`${id}/v1.json`)).map((e) => nl(e.title) as string);
      expect(texts.join(" ")).toMatch(pronoun);
      expect(texts.join(" ")).not.toMatch(wrong);
    }
  });

  it("every title and answer has an English translation, and SurveyJS reads every definition in Node", () => {
    for (const file of ["wmo/v1.json", "jeugd-ouders/v1.json", "jeugd-jongeren/v1.json"]) {
      const raw = readRaw(file);
      for (const element of elementsOf(raw)) {
        expect(element.title.en, `${file} ${element.name}`).toMatch(/\w/);
        for (const item of [...(element.choices ?? []), ...(element.rateValues ?? [])]) expect(item.text.en).toMatch(/\w/);
      }
      const model = new Model(raw);
      expect(model.jsonErrors ?? []).toEqual([]);
      expect(model.showProgressBar).toBe(true);
      expect(model.getQuestionByName("contact_toestemming").title).toMatch(/^Mogen wij contact met (u|je) opnemen/);
    }
  });

  it("switches to English once Dutch is SurveyJS's default locale (as the respondent page must set)", () => {
    // With SurveyJS's default locale left at "en", "en" would mean the `default` (Dutch) text.
    const before = surveyLocalization.defaultLocale;
    surveyLocalization.defaultLocale = "nl";
    try {
      const model = new Model(catalog.get("wmo", 1)!.definition);
      expect(model.getQuestionByName("wmo_serieus").title).toBe("De medewerker nam mij serieus.");
      model.locale = "en";
      expect(model.getQuestionByName("wmo_serieus").title).toBe("The staff member took me seriously.");
      expect(model.completeText).toBe("Send");
    } finally {
      surveyLocalization.defaultLocale = before;
    }
  });

  it("shows the phone field only with consent and when no number is known", () => {
    const model = new Model(catalog.get("wmo", 1)!.definition);
    const phone = model.getQuestionByName("contact_telefoon");
    expect(phone.isVisible).toBe(false);
    model.setValue("contact_toestemming", "ja");
    expect(phone.isVisible).toBe(true);
    model.setVariable("telefoon_bekend", true);
    expect(phone.isVisible).toBe(false);
  });

  it("keeps the catalog immutable", () => {
    const entry = catalog.get("wmo", 1)!;
    expect(() => ((entry.definition.pages as Json[])[0]!.elements[0].title = "Iets anders")).toThrow(TypeError);
    expect(() => (entry.meta.questions as unknown[]).pop()).toThrow(TypeError);
  });
});

describe("a tampered questionnaire is refused at start-up", () => {
  it("changed wording of one of the ten", () => {
    const problems = problemsAfter((edit) => edit("wmo/v1.json", (json) => (json.pages[0].elements[2].title.default = "De medewerker nam mij heel serieus.")));
    expect(problems).toContainEqual(
      'surveys/wmo/v1.json: standaardvraag 3 (wmo_serieus): de tekst is "De medewerker nam mij heel serieus.", maar moet precies "De medewerker nam mij serieus." zijn',
    );
  });

  it("a missing standard question, even when the metadata is changed to match", () => {
    const problems = problemsAfter((edit) => {
      edit("wmo/v1.json", (json) => json.pages[1].elements.splice(1, 1));
      edit("wmo/v1.meta.json", (json) => json.questions.splice(6, 1));
    });
    expect(problems).toContainEqual(expect.stringMatching(/^surveys\/wmo\/v1\.json: standaardvraag 7 \(wmo_past\) ontbreekt/));
  });

  it("a swapped order and a changed scale", () => {
    const problems = problemsAfter((edit) =>
      edit("wmo/v1.json", (json) => {
        const elements = json.pages[0].elements;
        [elements[0], elements[1]] = [elements[1], elements[0]];
        json.pages[1].elements[0].rateValues[0].value = 9;
        json.pages[2].elements[0].rateValues[1].text.default = "Eens";
      }),
    );
    expect(problems.join("\n")).toContain("standaardvraag 1 (wmo_wist_waar) staat op plaats 2, maar hoort op plaats 1");
    expect(problems.join("\n")).toContain("vraag wmo_kwaliteit: de antwoordschaal moet precies 5, 4, 3, 2, 1, 0 zijn, niet 9, 4, 3, 2, 1, 0");
    expect(problems.join("\n")).toContain('vraag wmo_dingen_doen: antwoord 4 heet "Eens", moet "Mee eens" zijn');
  });

  it("a duplicate key", () => {
    const problems = problemsAfter((edit) => edit("jeugd-ouders/v1.json", (json) => (json.pages[1].elements[0].name = "jeugd_hulp_past")));
    expect(problems).toContainEqual("surveys/jeugd-ouders/v1.json: de sleutel jeugd_hulp_past komt meer dan één keer voor");
  });

  it("metadata that does not match the definition", () => {
    const problems = problemsAfter((edit) =>
      edit("wmo/v1.meta.json", (json) => {
        json.questions.find((q: Json) => q.key === "verbetering").key = "verbeteringen";
        json.roles.grade = "cijfer";
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "surveys/wmo/v1.meta.json: de metadata noemt vraag verbeteringen, maar die staat niet in de vragenlijst",
        "surveys/wmo/v1.meta.json: vraag verbetering ontbreekt in de metadata",
        "surveys/wmo/v1.meta.json: roles.grade verwijst naar cijfer, maar die vraag staat niet in de metadata",
      ]),
    );
  });

  it("broken JSON, a wrong version, a missing file, an unknown SurveyJS property and a missing translation, all listed at once", () => {
    const problems = problemsAfter((edit, dir) => {
      writeFileSync(path.join(dir, "jeugd-jongeren/v1.json"), '{ "locale": "nl",\n  "pages": [ }');
      edit("jeugd-ouders/v1.meta.json", (json) => (json.version = 2));
      writeFileSync(path.join(dir, "wmo/v2.json"), "{}");
      edit("wmo/v1.json", (json) => {
        json.pages[3].elements[0].isRequred = true;
        json.pages[4].elements[0].title = "Wie heeft deze vragenlijst ingevuld?";
        json.pages[5].elements[1].visibleIf = "{contact_toestemming} = 'ja' and {telefoon_bekent} != true";
      });
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^surveys\/jeugd-jongeren\/v1\.json: geen geldige JSON op regel 2, kolom \d+/),
        "surveys/jeugd-ouders/v1.meta.json: version is 2, maar de bestandsnaam zegt v1",
        "surveys/wmo/v2.json: de metadata v2.meta.json ontbreekt",
        "surveys/wmo/v1.json: SurveyJS kent de eigenschap isRequred van rating niet (bij rapportcijfer)",
        "surveys/wmo/v1.json: pages[4](invullen).elements[0](ingevuld_door).title: de Engelse vertaling ontbreekt",
        "surveys/wmo/v1.meta.json: vraag contact_telefoon: de voorwaarde verwijst naar {telefoon_bekent}, die vraag of variabele bestaat niet",
      ]),
    );
  });
});
