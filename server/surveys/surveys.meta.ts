// The reporting metadata that sits beside each SurveyJS definition (surveys/<id>/v<N>.meta.json): what each
// question means for the reports, which optional blocks a municipality may switch off, which variables the
// respondent page sets. One zod schema gives the check and the types.
import { z } from "zod";

export const QUESTION_KINDS = [
  "agreement", // the 5..0 agreement scale
  "yes_no", // ja / nee
  "grade", // report grade 1–10
  "choice", // pick one or more from a list (radiogroup, dropdown, checkbox, boolean)
  "open", // free text
  "consent", // ja / nee: may we contact you?
  "phone", // a phone number for the follow-up
  "rating", // another rating scale (municipality questions)
  "number", // a number field (municipality questions)
  "info", // text without an answer (html)
] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** Optional blocks around the core; a municipality may switch each off. */
export const BLOCK_IDS = ["grade", "filled_in_by", "improvement", "consent"] as const;
export type BlockId = (typeof BLOCK_IDS)[number];

export const THEMES = ["toegang", "kwaliteit", "effect"] as const;
export type Theme = (typeof THEMES)[number];

/** The effect themes of the Jeugd questionnaires. */
export const JEUGD_SUBTHEMES = ["veilig_gezond_opgroeien", "zelfstandig_worden", "zelfredzaamheid", "meedoen"] as const;

const codeList = z.array(z.number().int().min(0).max(10));

const questionMetaSchema = z.strictObject({
  key: z.string(),
  kind: z.enum(QUESTION_KINDS),
  theme: z.enum(THEMES).optional(),
  subtheme: z.enum(JEUGD_SUBTHEMES).optional(),
  /** Part of the questionnaire's fixed core (the ten for Wmo): never switched off or changed per municipality. */
  standard: z.boolean().optional(),
  block: z.enum(BLOCK_IDS).optional(),
  /** Added by a municipality (only in customised definitions, never in shipped metadata). */
  municipal: z.boolean().optional(),
});

export const surveyMetaSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, "moet uit kleine letters, cijfers en streepjes bestaan"),
  version: z.number().int().min(1),
  law: z.enum(["wmo", "jeugd"]),
  audience: z.enum(["clienten", "ouders", "jongeren"]),
  /** Jeugd is anonymous: reports never show who answered. */
  anonymous: z.boolean(),
  /** Names the respondent page sets with survey.setVariable (never answers). */
  variables: z.array(z.string()),
  codes: z.strictObject({
    agreement: z.strictObject({ agree: codeList, neutral: codeList, disagree: codeList, dontKnow: codeList }),
    yesNo: z.strictObject({ yes: z.string(), no: z.string() }),
    grade: z.strictObject({ min: z.number().int(), max: z.number().int() }).optional(),
  }),
  questions: z.array(questionMetaSchema).min(1),
  roles: z.strictObject({
    grade: z.string().optional(),
    filledInBy: z.string().optional(),
    improvement: z.string().optional(),
    consent: z.string().optional(),
    phone: z.string().optional(),
  }),
  blocks: z.array(z.strictObject({ id: z.enum(BLOCK_IDS), questions: z.array(z.string()).min(1) })),
});

export type QuestionMeta = z.infer<typeof questionMetaSchema>;
export type SurveyMeta = z.infer<typeof surveyMetaSchema>;
export type RoleName = keyof SurveyMeta["roles"];

/** The kind a role's question must have. */
export const ROLE_KINDS: Record<RoleName, QuestionKind> = {
  grade: "grade",
  filledInBy: "choice",
  improvement: "open",
  consent: "consent",
  phone: "phone",
};

/** Which SurveyJS question types fit each kind. */
export const KIND_TYPES: Record<QuestionKind, readonly string[]> = {
  agreement: ["rating"],
  yes_no: ["radiogroup"],
  grade: ["rating"],
  choice: ["radiogroup", "dropdown", "checkbox", "boolean"],
  open: ["comment", "text"],
  consent: ["radiogroup"],
  phone: ["text"],
  rating: ["rating"],
  number: ["text"],
  info: ["html"],
};

/** The kind a municipality's extra question gets in the metadata of a customised definition. */
export function kindOfType(type: string, inputType: string | undefined): QuestionKind {
  if (type === "rating") return "rating";
  if (type === "html") return "info";
  if (type === "comment") return "open";
  if (type === "text") return inputType === "number" ? "number" : "open";
  return "choice";
}

/** Readable zod issues: `questions.3.kind: …`. */
export function metaSchemaProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(bestand)"}: ${issue.message}`);
}
