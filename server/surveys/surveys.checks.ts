// Checks a definition against its reporting metadata, and a Wmo definition against the ten standard questions.
// Each check returns Dutch sentences; nothing throws, so the loader can list every problem at once.
import type { QuestionInfo } from "./surveys.inspect.ts";
import { KEY_PATTERN } from "./survey-json.ts";
import { KIND_TYPES, ROLE_KINDS, type QuestionMeta, type RoleName, type SurveyMeta } from "./surveys.meta.ts";
import { AGREEMENT_CODES, AGREEMENT_SCALE, WMO_STANDARD_QUESTIONS, YES_NO_VALUES } from "./wmo-standard.ts";

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[]) =>
  a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
const show = (values: readonly unknown[] | undefined) => (values ? values.map((v) => JSON.stringify(v)).join(", ") : "geen");

/** The values (and labels) a question of this kind must offer. */
function kindProblems(meta: QuestionMeta, question: QuestionInfo, survey: SurveyMeta): string[] {
  const problems: string[] = [];
  const label = `vraag ${meta.key}`;
  if (!KIND_TYPES[meta.kind].includes(question.type)) {
    problems.push(`${label}: soort ${meta.kind} past niet bij vraagtype ${question.type} (verwacht: ${KIND_TYPES[meta.kind].join(" of ")})`);
    return problems;
  }
  if (meta.kind === "agreement") {
    const values = AGREEMENT_SCALE.map((s) => s.value);
    if (!sameList(question.values, values)) {
      problems.push(`${label}: de antwoordschaal moet precies ${values.join(", ")} zijn, niet ${show(question.values)}`);
    } else {
      AGREEMENT_SCALE.forEach((step, i) => {
        if (question.valueTexts[i] !== step.text) {
          problems.push(`${label}: antwoord ${step.value} heet ${JSON.stringify(question.valueTexts[i])}, moet "${step.text}" zijn`);
        }
      });
    }
  }
  if (meta.kind === "yes_no" || meta.kind === "consent") {
    const expected = [survey.codes.yesNo.yes, survey.codes.yesNo.no];
    if (!sameList(question.values, expected)) problems.push(`${label}: de antwoorden moeten ${show(expected)} zijn, niet ${show(question.values)}`);
  }
  if (meta.kind === "grade") {
    const range = survey.codes.grade;
    if (!range) problems.push(`${label}: een rapportcijfer heeft codes.grade nodig in de metadata`);
    else {
      const expected = Array.from({ length: range.max - range.min + 1 }, (_, i) => range.min + i);
      if (!sameList(question.values, expected)) problems.push(`${label}: het rapportcijfer moet ${range.min} t/m ${range.max} zijn, niet ${show(question.values)}`);
    }
  }
  if (meta.kind === "phone" && question.inputType !== "tel") problems.push(`${label}: een telefoonvraag moet inputType "tel" hebben`);
  if (meta.kind === "number" && question.inputType !== "number") problems.push(`${label}: een getalvraag moet inputType "number" hebben`);
  if ((meta.kind === "agreement" || meta.kind === "yes_no") && meta.standard && !meta.theme) {
    problems.push(`${label}: een standaardvraag heeft een thema nodig (toegang, kwaliteit of effect)`);
  }
  return problems;
}

function codesProblems(meta: SurveyMeta): string[] {
  const problems: string[] = [];
  for (const group of ["agree", "neutral", "disagree", "dontKnow"] as const) {
    if (!sameList([...meta.codes.agreement[group]].sort(), [...AGREEMENT_CODES[group]].sort())) {
      problems.push(`codes.agreement.${group} moet [${AGREEMENT_CODES[group].join(", ")}] zijn, niet [${meta.codes.agreement[group].join(", ")}]`);
    }
  }
  if (meta.codes.yesNo.yes !== YES_NO_VALUES[0] || meta.codes.yesNo.no !== YES_NO_VALUES[1]) {
    problems.push(`codes.yesNo moet { yes: "ja", no: "nee" } zijn`);
  }
  return problems;
}

/** The metadata must describe exactly the questions of the definition, in the same order, consistently. */
export function metaProblems(meta: SurveyMeta, questions: QuestionInfo[], options: { customised?: boolean } = {}): string[] {
  const problems = codesProblems(meta);
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const metaKeys = new Set<string>();
  for (const entry of meta.questions) {
    if (metaKeys.has(entry.key)) problems.push(`de metadata noemt vraag ${entry.key} twee keer`);
    metaKeys.add(entry.key);
    const question = byKey.get(entry.key);
    if (!question) problems.push(`de metadata noemt vraag ${entry.key}, maar die staat niet in de vragenlijst`);
    else problems.push(...kindProblems(entry, question, meta));
    if (entry.standard && entry.block) problems.push(`vraag ${entry.key}: een standaardvraag kan niet in een uitschakelbaar blok staan`);
    if (entry.municipal && !options.customised) problems.push(`vraag ${entry.key}: municipal hoort alleen bij vragen van een gemeente, niet in een meegeleverde vragenlijst`);
  }
  for (const question of questions) {
    if (!metaKeys.has(question.key)) problems.push(`vraag ${question.key} ontbreekt in de metadata`);
  }
  const definitionOrder = questions.map((q) => q.key).filter((key) => metaKeys.has(key));
  const metaOrder = [...new Set(meta.questions.map((q) => q.key))].filter((key) => byKey.has(key));
  if (!sameList(metaOrder, definitionOrder)) {
    problems.push(`de volgorde van de vragen in de metadata wijkt af van de vragenlijst (vragenlijst: ${definitionOrder.join(", ")})`);
  }

  for (const [role, key] of Object.entries(meta.roles) as Array<[RoleName, string | undefined]>) {
    if (key === undefined) continue;
    const entry = meta.questions.find((q) => q.key === key);
    if (!entry) problems.push(`roles.${role} verwijst naar ${key}, maar die vraag staat niet in de metadata`);
    else if (entry.kind !== ROLE_KINDS[role]) problems.push(`roles.${role}: vraag ${key} moet soort ${ROLE_KINDS[role]} hebben, niet ${entry.kind}`);
  }

  const blockIds = new Set<string>();
  for (const block of meta.blocks) {
    if (blockIds.has(block.id)) problems.push(`blok ${block.id} staat twee keer in de metadata`);
    blockIds.add(block.id);
    for (const key of block.questions) {
      const entry = meta.questions.find((q) => q.key === key);
      if (!entry) problems.push(`blok ${block.id} noemt vraag ${key}, maar die staat niet in de metadata`);
      else if (entry.block !== block.id) problems.push(`blok ${block.id} noemt vraag ${key}, maar die vraag hoort bij blok ${entry.block ?? "(geen)"}`);
    }
  }
  for (const entry of meta.questions) {
    if (entry.block && !meta.blocks.some((b) => b.id === entry.block && b.questions.includes(entry.key))) {
      problems.push(`vraag ${entry.key} hoort volgens de metadata bij blok ${entry.block}, maar dat blok noemt haar niet`);
    }
  }

  for (const variable of meta.variables) {
    if (!KEY_PATTERN.test(variable)) problems.push(`variabele ${JSON.stringify(variable)} heeft geen geldige naam`);
    if (byKey.has(variable)) problems.push(`variabele ${variable} heeft dezelfde naam als een vraag`);
  }
  const known = new Set([...byKey.keys(), ...meta.variables]);
  for (const question of questions) {
    for (const reference of question.references) {
      if (!known.has(reference)) problems.push(`vraag ${question.key}: de voorwaarde verwijst naar {${reference}}, die vraag of variabele bestaat niet`);
    }
  }
  return problems;
}

/** Wmo: the ten standard questions, first, in order, with the exact keys, wording, themes and scale. */
export function wmoStandardProblems(meta: SurveyMeta, questions: QuestionInfo[]): string[] {
  const problems: string[] = [];
  WMO_STANDARD_QUESTIONS.forEach((standard, i) => {
    const label = `standaardvraag ${standard.number} (${standard.key})`;
    const position = questions.findIndex((q) => q.key === standard.key);
    if (position === -1) {
      problems.push(`${label} ontbreekt; de tien standaardvragen van de Wmo mogen niet worden weggelaten`);
      return;
    }
    if (position !== i) problems.push(`${label} staat op plaats ${position + 1}, maar hoort op plaats ${i + 1}`);
    const question = questions[position]!;
    if (question.title !== standard.text) {
      problems.push(`${label}: de tekst is ${JSON.stringify(question.title)}, maar moet precies "${standard.text}" zijn`);
    }
    const entry = meta.questions.find((q) => q.key === standard.key);
    if (entry) {
      if (entry.kind !== standard.kind) problems.push(`${label}: soort moet ${standard.kind} zijn, niet ${entry.kind}`);
      if (entry.theme !== standard.theme) problems.push(`${label}: thema moet ${standard.theme} zijn, niet ${entry.theme ?? "(geen)"}`);
      if (entry.standard !== true) problems.push(`${label}: moet in de metadata standard: true hebben`);
    }
  });
  const keys = new Set(WMO_STANDARD_QUESTIONS.map((q) => q.key));
  for (const entry of meta.questions) {
    if (entry.standard && !keys.has(entry.key)) problems.push(`vraag ${entry.key} is geen van de tien standaardvragen, maar heeft standard: true`);
  }
  return problems;
}

/** Jeugd: the pattern from DOMAIN.md — six statements and three open questions as the core, anonymous. */
export function jeugdPatternProblems(meta: SurveyMeta): string[] {
  const problems: string[] = [];
  const core = meta.questions.filter((q) => q.standard);
  const statements = core.filter((q) => q.kind === "agreement");
  const open = core.filter((q) => q.kind === "open");
  if (statements.length !== 6) problems.push(`een Jeugd-vragenlijst heeft zes stellingen als kern, deze heeft er ${statements.length}`);
  if (open.length !== 3) problems.push(`een Jeugd-vragenlijst heeft drie open vragen als kern, deze heeft er ${open.length}`);
  for (const theme of ["toegang", "kwaliteit", "effect"] as const) {
    if (!statements.some((q) => q.theme === theme)) problems.push(`de stellingen dekken het thema ${theme} niet`);
  }
  if (!meta.anonymous) problems.push("een Jeugd-vragenlijst is anoniem (anonymous: true)");
  return problems;
}
