import { describe, expect, it } from "vitest";
import { SurveyCustomisationError, loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";

type Json = Record<string, any>;
const elementsOf = (json: Json): Json[] => json.pages.flatMap((p: Json) => p.elements);

describe("a municipality's customisation", () => {
  const catalog = loadSurveyCatalog();
  const keysOf = (definition: Json) => elementsOf(definition).map((e) => e.name);
  const pagesOf = (definition: Json) => definition.pages.map((p: Json) => `${p.name}: ${p.elements.map((e: Json) => e.name).join(",")}`);
  const vervoer = { type: "radiogroup", name: "gemeente_vervoer", title: "Gebruikt u de regiotaxi?", choices: ["ja", "nee"] };
  const tevreden = { name: "gemeente_taxi_tevreden", type: "rating", title: "Hoe tevreden bent u over de regiotaxi?", visibleIf: "{gemeente_vervoer} = 'ja'" };

  it("never loses one of the ten, whatever is switched off or added", () => {
    const custom = catalog.forMunicipality("wmo", 1, { disabledBlocks: ["grade", "filled_in_by", "improvement", "consent"], extraQuestions: [vervoer] });
    expect(keysOf(custom.definition)).toEqual([
      "wmo_wist_waar", "wmo_snel_geholpen", "wmo_serieus", "wmo_samen_oplossingen", "wmo_clientondersteuner",
      "wmo_kwaliteit", "wmo_past", "wmo_dingen_doen", "wmo_beter_redden", "wmo_kwaliteit_leven", "gemeente_vervoer",
    ]);
    expect(elementsOf(custom.definition)[2]).toEqual(elementsOf(catalog.get("wmo", 1)!.definition)[2]);
  });

  it("switches blocks off and appends its questions on one page just before the consent block", () => {
    const custom = catalog.forMunicipality("wmo", 1, { disabledBlocks: ["grade", "filled_in_by"], extraQuestions: [vervoer, tevreden] });
    expect(pagesOf(custom.definition)).toEqual([
      "toegang: wmo_wist_waar,wmo_snel_geholpen,wmo_serieus,wmo_samen_oplossingen,wmo_clientondersteuner",
      "kwaliteit: wmo_kwaliteit,wmo_past",
      "effect: wmo_dingen_doen,wmo_beter_redden,wmo_kwaliteit_leven",
      "oordeel: verbetering",
      "gemeente: gemeente_vervoer,gemeente_taxi_tevreden",
      "contact: contact_toestemming,contact_telefoon",
    ]);
    expect(custom.meta.questions.map((q) => q.key)).toEqual(keysOf(custom.definition));
    expect(custom.meta.questions.find((q) => q.key === "gemeente_vervoer")).toEqual({ key: "gemeente_vervoer", kind: "choice", municipal: true });
    expect(custom.meta.blocks.map((b) => b.id)).toEqual(["improvement", "consent"]);
    expect(custom.meta.roles.grade).toBeUndefined();
    expect(custom.customisation.disabledBlocks).toEqual(["grade", "filled_in_by"]);
  });

  it("puts its questions at the end when the consent block is off", () => {
    const custom = catalog.forMunicipality("jeugd-jongeren", 1, { disabledBlocks: ["consent"], extraQuestions: [vervoer] });
    expect(pagesOf(custom.definition).slice(-2)).toEqual(["eigen_woorden: jeugd_goed,jeugd_beter,jeugd_verder", "gemeente: gemeente_vervoer"]);
    expect((custom.definition.pages as Json[]).at(-1)!.title).toEqual({ default: "Vragen van je gemeente", en: "Questions from your municipality" });
  });

  it("is deterministic: same content gives the same JSON and hash; no customisation gives the shipped version", () => {
    const a = catalog.forMunicipality("wmo", 1, { extraQuestions: [vervoer], disabledBlocks: ["consent", "grade"] });
    const reordered = Object.fromEntries(Object.entries(vervoer).reverse());
    const b = catalog.forMunicipality("wmo", 1, { disabledBlocks: ["grade", "consent", "grade"], extraQuestions: [reordered] });
    expect(JSON.stringify(b.definition)).toBe(JSON.stringify(a.definition));
    expect(b.hash).toBe(a.hash);
    expect(catalog.forMunicipality("wmo", 1, {}).hash).toBe(catalog.get("wmo", 1)!.hash);
    expect(catalog.forMunicipality("wmo", 1, { disabledBlocks: [] }).hash).not.toBe(a.hash);
  });

  const refused = (customisation: unknown, id = "wmo"): string => {
    try {
      catalog.forMunicipality(id, 1, customisation);
    } catch (error) {
      expect(error).toBeInstanceOf(SurveyCustomisationError);
      return (error as Error).message;
    }
    throw new Error("the customisation was accepted");
  };

  it("refuses to touch the ten, to reuse a key, or keys without the gemeente_ prefix", () => {
    expect(refused({ disabledBlocks: ["wmo_serieus"] })).toContain('"wmo_serieus" kan niet worden uitgezet; de tien standaardvragen van de Wmo blijven altijd staan');
    expect(refused({ disabledBlocks: ["standaard"] })).toContain("kan niet worden uitgezet");
    expect(refused({ extraQuestions: [{ ...vervoer, name: "wmo_serieus" }] })).toContain(
      "eigen vraag 1: wmo_serieus is een van de tien standaardvragen van de Wmo; een gemeente kan die niet vervangen of veranderen",
    );
    expect(refused({ extraQuestions: [{ ...vervoer, name: "rapportcijfer" }] })).toContain("de sleutel rapportcijfer bestaat al in de vragenlijst");
    expect(refused({ extraQuestions: [vervoer, vervoer] })).toContain("eigen vraag 2: de sleutel gemeente_vervoer komt twee keer voor");
    expect(refused({ extraQuestions: [{ ...vervoer, name: "vervoer" }] })).toContain("moet beginnen met gemeente_");
    expect(refused({ extraQuestions: [{ ...vervoer, valueName: "wmo_serieus" }] })).toContain("de eigenschap valueName is niet toegestaan");
    expect(refused({ disabledBlocks: ["jeugd_meedoen"] }, "jeugd-ouders")).toContain("de vaste vragen van deze vragenlijst blijven altijd staan");
  });

  it("refuses unknown blocks, unsupported types, unknown properties and dangling conditions", () => {
    expect(refused({ disabledBlocks: ["grade"], hideAll: true })).toContain('onbekend onderdeel "hideAll"');
    expect(refused({ disabledBlocks: ["cijfer"] })).toContain('het blok "cijfer" bestaat niet in deze vragenlijst; kies uit grade, improvement, filled_in_by, consent');
    expect(refused({ extraQuestions: [{ type: "matrix", name: "gemeente_matrix", title: "X" }] })).toContain('het vraagtype "matrix" wordt niet ondersteund');
    expect(refused({ extraQuestions: [{ ...vervoer, isRequred: true }] })).toContain("SurveyJS kent de eigenschap isRequred van radiogroup niet");
    expect(refused({ disabledBlocks: ["grade"], extraQuestions: [{ ...vervoer, visibleIf: "{rapportcijfer} < 6" }] })).toContain(
      "de voorwaarde verwijst naar {rapportcijfer}, die vraag of variabele bestaat niet",
    );
    expect(refused({ extraQuestions: "geen lijst" })).toContain("extraQuestions moet een lijst van SurveyJS-vragen zijn");
    expect(refused({}, "onbekend")).toContain("vragenlijst onbekend versie 1 bestaat niet");
  });
});
