// The shapes of /api/v1 as OpenAPI 3.0 schema objects: a typed subset of OpenAPI, the patterns the server
// accepts, and the conversation, invitation, response and problem schemas. openapi.ts puts them into the
// document with the paths and the texts.
import { CHANNELS, EARLIEST_DATE, LAWS } from "./intake.normalize.ts";

// A small typed subset of OpenAPI 3.0.3: the parts this document uses.
export type SchemaObject = {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  nullable?: boolean;
  description?: string;
  example?: unknown;
  enum?: Array<string | number | null>;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaObject;
  anyOf?: SchemaObject[];
  $ref?: string;
};

export type MediaTypeObject = { schema: SchemaObject; example?: unknown };
export type HeaderObject = { description: string; schema: SchemaObject };
export type ResponseObject = { description: string; headers?: Record<string, HeaderObject>; content?: Record<string, MediaTypeObject> };
export type ParameterObject = { name: string; in: "path" | "query" | "header"; required: boolean; description: string; schema: SchemaObject };
export type OperationObject = {
  operationId: string;
  summary: string;
  description: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject | { $ref: string }>;
};
export type PathItemObject = { get?: OperationObject; post?: OperationObject };

export type OpenApiDocument = {
  openapi: "3.0.3";
  info: { title: string; version: string; description: string; license: { name: string; url: string } };
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, PathItemObject>;
  components: {
    securitySchemes: Record<string, { type: "http"; scheme: "bearer"; description: string }>;
    schemas: Record<string, SchemaObject>;
    responses: Record<string, ResponseObject>;
  };
};

// The patterns say what the server accepts in form; the descriptions say what it checks beyond form.
const NOT_BLANK = "\\S";
const DATE_ISO_OR_DUTCH = "^\\s*(\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{4})\\s*$";
// 06-numbers with a second digit the Dutch numbering plan gives to mobiles (066 is for pagers).
const DUTCH_MOBILE = "^\\s*(?:(?:\\+|00)31[\\s.-]*(?:\\(0\\)[\\s.-]*)?|0)6[\\s.-]*[1-58](?:[\\s.-]*\\d){7}\\s*$";
// PostNL does not issue the letter pairs SA, SD and SS.
const POSTCODE = "^\\s*[1-9][0-9]{3}\\s*(?![sS][aAdDsS])[a-zA-Z]{2}\\s*$";

const text = (description: string, maxLength: number, example?: string): SchemaObject => ({
  type: "string",
  nullable: true,
  maxLength,
  description,
  ...(example === undefined ? {} : { example }),
});

export function conversationInputSchema(currentYear: number): SchemaObject {
  return {
    type: "object",
    additionalProperties: false,
    required: ["externalId", "law", "heldOn", "client"],
    description:
      "One keukentafelgesprek (intake conversation). Fields not listed here are refused (400). Optional fields may be left out or sent as null. " +
      "Beyond the canonical forms documented here the server also accepts a few spellings that Dutch case systems produce (law and channel in any letter case or as Dutch words such as \"Jeugdwet\" or \"brief\", " +
      "Dutch language names such as \"Nederlands\", an empty string for an optional field); send the canonical forms.",
    properties: {
      externalId: {
        type: "string",
        minLength: 1,
        maxLength: 100,
        pattern: NOT_BLANK,
        description: "The conversation's id in the municipality's case system (gesprek-id). Unique per municipality: sending it again is idempotent.",
        example: "KTG-2026-000123",
      },
      law: {
        type: "string",
        enum: [...LAWS],
        description: "The law under which the intake was held: `wmo` (Wet maatschappelijke ondersteuning 2015, support for adults) or `jeugd` (Jeugdwet, youth care).",
        example: "wmo",
      },
      heldOn: {
        type: "string",
        pattern: DATE_ISO_OR_DUTCH,
        description:
          `The day the conversation was held (gespreksdatum), as YYYY-MM-DD or the Dutch DD-MM-YYYY (also with / or .). It must be an existing date, ` +
          `not in the future (Europe/Amsterdam) and not before ${EARLIEST_DATE}, when the Wmo 2015 and the Jeugdwet took effect. Returned as YYYY-MM-DD.`,
        example: "2026-10-01",
      },
      team: text("The team that held the conversation (wijkteam / sociaal team: the local social-care team).", 200, "Sociaal Team Noord"),
      area: text("The neighbourhood (wijk) the client lives in, as the municipality names it.", 200, "Centrum"),
      provision: text("The provision discussed or granted (maatwerkvoorziening), e.g. huishoudelijke hulp (household help), begeleiding (support), vervoer (transport).", 200, "huishoudelijke hulp"),
      preferredChannel: {
        type: "string",
        nullable: true,
        enum: [...CHANNELS, null],
        description: "How the client prefers to be invited to the survey: e-mail, SMS, a paper letter (brief) or a phone call. When absent, e-mail, then SMS, then letter, as far as contact data allows.",
        example: "email",
      },
      client: {
        type: "object",
        additionalProperties: false,
        required: ["externalId"],
        description:
          "The client (cliënt). At least one way to reach the client is required: an e-mail address, a Dutch mobile number, or a full address (street, house number, postcode and city). " +
          "Contact data is stored apart from the survey answers and is never returned by this API. A later conversation for the same client updates the client's contact data; fields left out keep what was known.",
        properties: {
          externalId: {
            type: "string",
            minLength: 1,
            maxLength: 100,
            pattern: NOT_BLANK,
            description: "The client's id in the municipality's case system (cliënt-id); pseudonymous for Luisterpost.",
            example: "C-98765",
          },
          birthYear: { type: "integer", nullable: true, minimum: 1900, maximum: currentYear, description: "Year of birth, used for age bands in reports.", example: 1948 },
          language: {
            type: "string",
            nullable: true,
            pattern: "^\\s*[a-zA-Z]{2,3}\\s*$",
            description: "The client's language as an ISO 639 code (nl, en, tr, ar, pap …). Default `nl`.",
            example: "nl",
          },
          email: { type: "string", nullable: true, format: "email", maxLength: 254, description: "E-mail address for the invitation.", example: "a.jansen@example.nl" },
          mobile: {
            type: "string",
            nullable: true,
            pattern: DUTCH_MOBILE,
            description: "A Dutch mobile number (06…), in any common notation: 06 12345678, 06-12345678, +31 6 1234 5678. Landlines and foreign numbers are refused: they cannot receive our SMS.",
            example: "06 12345678",
          },
          address: {
            type: "object",
            nullable: true,
            additionalProperties: false,
            description: "Postal address for a paper letter. It counts as a way to reach the client only when all four fields are given.",
            properties: {
              street: text("Street name (straat).", 200, "Dorpsstraat"),
              houseNumber: text("House number with any addition (huisnummer).", 20, "12A"),
              postalCode: { type: "string", nullable: true, pattern: POSTCODE, description: "Dutch postcode: four digits (not starting with 0) and two letters, e.g. 3831 AB or 3831ab. Stored as 3831 AB.", example: "3831 AB" },
              city: text("City or village (woonplaats).", 100, "Leusden"),
            },
          },
        },
        anyOf: [
          { type: "object", required: ["email"], properties: { email: { type: "string", pattern: NOT_BLANK } } },
          { type: "object", required: ["mobile"], properties: { mobile: { type: "string", pattern: NOT_BLANK } } },
          {
            type: "object",
            required: ["address"],
            properties: {
              address: {
                type: "object",
                required: ["street", "houseNumber", "postalCode", "city"],
                properties: {
                  street: { type: "string", pattern: NOT_BLANK },
                  houseNumber: { type: "string", pattern: NOT_BLANK },
                  postalCode: { type: "string", pattern: NOT_BLANK },
                  city: { type: "string", pattern: NOT_BLANK },
                },
              },
            },
          },
        ],
      },
    },
  };
}

const INVITATION_SCHEMA: SchemaObject = {
  type: "object",
  required: ["audience", "channel", "status", "sentAt", "expiresAt", "remindersSent"],
  properties: {
    audience: { type: "string", enum: ["client", "ouders", "jongeren"], description: "Who is asked: the client (Wmo), the parents or the young person (Jeugd)." },
    channel: { type: "string", enum: [...CHANNELS], description: "The channel in use (after a fallback, the one that replaced the failed one)." },
    status: { type: "string", enum: ["planned", "sent", "completed", "expired", "opted_out", "failed"], description: "`planned`: made, not sent yet (an SMS waits for daytime, a letter for the print batch)." },
    sentAt: { type: "string", format: "date-time", nullable: true, description: "When the first message went out." },
    expiresAt: { type: "string", format: "date-time", description: "Until when the questionnaire can be filled in." },
    remindersSent: { type: "integer", minimum: 0, description: "Reminders planned so far." },
  },
};

const RESPONSE_SCHEMA: SchemaObject = {
  type: "object",
  required: ["status", "mode", "completedAt"],
  properties: {
    status: { type: "string", enum: ["in_progress", "completed"] },
    mode: { type: "string", enum: ["online", "sms", "code", "paper", "phone"], description: "How the answers came in: an e-mail link, an SMS link, a typed paper code, a paper form typed in by staff, or a phone interview." },
    completedAt: { type: "string", format: "date-time", nullable: true },
  },
};

export const CONVERSATION_SCHEMA: SchemaObject = {
  type: "object",
  required: ["externalId", "law", "heldOn", "team", "area", "provision", "preferredChannel", "client", "measurement", "createdAt"],
  description: "A registered keukentafelgesprek and the state of the client-experience measurement it started. It never contains contact data or survey answers.",
  properties: {
    externalId: { type: "string", description: "The conversation's id in the case system.", example: "KTG-2026-000123" },
    law: { type: "string", enum: [...LAWS], description: "`wmo` (Wmo 2015) or `jeugd` (Jeugdwet)." },
    heldOn: { type: "string", format: "date", description: "The day the conversation was held, YYYY-MM-DD.", example: "2026-10-01" },
    team: { type: "string", nullable: true, description: "Wijkteam / sociaal team." },
    area: { type: "string", nullable: true, description: "Wijk (neighbourhood)." },
    provision: { type: "string", nullable: true, description: "Maatwerkvoorziening (provision)." },
    preferredChannel: { type: "string", nullable: true, enum: [...CHANNELS, null], description: "The client's preferred invitation channel, as sent." },
    client: {
      type: "object",
      required: ["externalId"],
      description: "Only the client's id in the case system: contact data is never returned.",
      properties: { externalId: { type: "string", example: "C-98765" } },
    },
    measurement: {
      type: "object",
      required: ["status", "skippedReason", "invitation", "response", "invitations"],
      description:
        "The survey (cliëntervaringsonderzoek) this conversation leads to. The client is invited some weeks after the conversation (default 21 days), " +
        "so the client has experienced the support. Poll this resource to follow it.",
      properties: {
        status: {
          type: "string",
          enum: ["pending", "skipped", "invited", "completed", "expired", "opted_out", "failed"],
          description:
            "`pending`: registered, not invited yet (the wait has not passed). `skipped`: no invitation will be sent (see `skippedReason`). " +
            "`invited`: an invitation is open. `completed`: the client filled in the questionnaire. `expired`: the invitation closed without an answer. " +
            "`opted_out`: the client asked not to be contacted. `failed`: no channel reached the client. Treat an unknown status as still in progress.",
        },
        skippedReason: {
          type: "string",
          nullable: true,
          enum: ["fatigue", "opted_out", "unreachable", "too_old", null],
          description: "Why no invitation was sent: invited in the last months already (`fatigue`), opted out, no way to reach the client, or the conversation is too long ago. Null unless `skipped`.",
        },
        invitation: { ...INVITATION_SCHEMA, nullable: true, description: "The (first) invitation, once made; null while pending or when skipped. Never contains contact data." },
        response: { ...RESPONSE_SCHEMA, nullable: true, description: "Whether and when the client responded to that invitation; null until they started. Never contains the answers." },
        invitations: {
          type: "array",
          description: "Every invitation of this conversation: one for Wmo; for Jeugd one for the parents and/or one for the young person (12+).",
          items: { ...INVITATION_SCHEMA, required: [...(INVITATION_SCHEMA.required ?? []), "response"], properties: { ...INVITATION_SCHEMA.properties, response: { ...RESPONSE_SCHEMA, nullable: true } } },
        },
      },
    },
    createdAt: { type: "string", format: "date-time", description: "When Luisterpost registered the conversation (UTC).", example: "2026-10-01T14:03:12.000Z" },
  },
};

export const PROBLEM_SCHEMA: SchemaObject = {
  type: "object",
  required: ["type", "title", "status", "detail", "requestId"],
  description: "An error as RFC 9457 problem details (application/problem+json). `title` and `detail` are in Dutch, for people.",
  properties: {
    type: { type: "string", pattern: "^urn:luisterpost:problem:[a-z_]+$", description: "Stable, machine-readable kind of error.", example: "urn:luisterpost:problem:bad_request" },
    title: { type: "string", description: "Short Dutch title of the status.", example: "Ongeldig verzoek" },
    status: { type: "integer", description: "The HTTP status.", example: 400 },
    detail: { type: "string", description: "What went wrong, in Dutch.", example: "Het gesprek is niet opgeslagen: 2 velden kloppen niet." },
    errors: {
      type: "array",
      description: "For 400: every bad field at once. For 409: every field that differs from the conversation already registered.",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: {
          field: { type: "string", description: "Path of the field, e.g. `heldOn` or `client.address.postalCode`; empty when the body as a whole is wrong.", example: "client.mobile" },
          message: { type: "string", description: "What is wrong with it, in Dutch.", example: "Het mobiele nummer is geen Nederlands nummer." },
        },
      },
    },
    requestId: { type: "string", description: "The request's id (also in the X-Request-Id header); quote it when asking for help." },
  },
};
