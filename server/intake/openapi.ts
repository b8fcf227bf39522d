// The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json. It is written by hand next to the
// routes; tests/api/openapi.test.ts sends real requests and checks every request and response against it, so
// the document cannot drift from what the server does.
import type { Config } from "../config.ts";
import { CONVERSATION_SCHEMA, conversationInputSchema, PROBLEM_SCHEMA, type OpenApiDocument, type ResponseObject } from "./openapi.schemas.ts";

export const API_VERSION = "1.0.0";

const problemResponse = (description: string): ResponseObject => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

const DESCRIPTION = `
The API through which a municipality's case system (zaaksysteem) registers each **keukentafelgesprek** — the intake
conversation, often at the client's kitchen table, in which a client asks the municipality for support under the
**Wmo 2015** (Wet maatschappelijke ondersteuning: support for adults) or the **Jeugdwet** (youth care). Every
registered conversation starts a client-experience measurement (cliëntervaringsonderzoek): Luisterpost invites the
client some weeks later by e-mail, SMS, letter or phone.

Authenticate with an API key of your municipality (gemeente): \`Authorization: Bearer lp_…\`. A functional
administrator creates keys in the staff pages or with \`luisterpost apikey create --municipality GM0327\`. A key only
sees its own municipality's conversations.

Registering is idempotent on \`externalId\`: sending the same conversation again returns it unchanged (200); sending
different data under an \`externalId\` that is already known is refused (409) with the fields that differ. Errors are
\`application/problem+json\` with Dutch messages; a 400 names every bad field at once. Request bodies are at most 1 MB.
Contact data is accepted but never returned.
`.trim();

/** The document for this installation; built per request so `birthYear`'s maximum follows the calendar. */
export function openApiDocument(config: Pick<Config, "baseUrl">, now = new Date()): OpenApiDocument {
  const problem = (name: string) => ({ $ref: `#/components/responses/${name}` });
  return {
    openapi: "3.0.3",
    info: {
      title: "Luisterpost API",
      version: API_VERSION,
      description: DESCRIPTION,
      license: { name: "EUPL-1.2", url: "https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12" },
    },
    servers: [{ url: `${config.baseUrl.replace(/\/+$/, "")}/api/v1`, description: "This installation" }],
    tags: [{ name: "conversations", description: "Intake conversations (keukentafelgesprekken)" }, { name: "meta", description: "About the API itself" }],
    paths: {
      "/conversations": {
        post: {
          operationId: "registerConversation",
          summary: "Register a keukentafelgesprek",
          description:
            "Registers an intake conversation and its client. Returns 201 when it is new, 200 when exactly this conversation was registered before (nothing changes), " +
            "409 when the externalId is known with different data. Nothing is stored when the request is refused.",
          tags: ["conversations"],
          security: [{ apiKey: [] }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/ConversationInput" },
                example: {
                  externalId: "KTG-2026-000123",
                  law: "wmo",
                  heldOn: "2026-10-01",
                  team: "Sociaal Team Noord",
                  area: "Centrum",
                  provision: "huishoudelijke hulp",
                  preferredChannel: "email",
                  client: {
                    externalId: "C-98765",
                    birthYear: 1948,
                    language: "nl",
                    email: "a.jansen@example.nl",
                    mobile: "06 12345678",
                    address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden" },
                  },
                },
              },
            },
          },
          responses: {
            "201": {
              description: "Registered. The Location header points at the new resource.",
              headers: { Location: { description: "/api/v1/conversations/{externalId}", schema: { type: "string" } } },
              content: { "application/json": { schema: { $ref: "#/components/schemas/Conversation" } } },
            },
            "200": {
              description: "This conversation was registered before with exactly the same data; nothing changed.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Conversation" } } },
            },
            "400": problem("BadRequest"),
            "401": problem("Unauthorized"),
            "409": problem("Conflict"),
            "413": problem("PayloadTooLarge"),
            "415": problem("UnsupportedMediaType"),
          },
        },
      },
      "/conversations/{externalId}": {
        get: {
          operationId: "getConversation",
          summary: "A registered conversation and its measurement status",
          description: "The conversation as registered, with the state of its measurement. Only conversations of the key's own municipality are found.",
          tags: ["conversations"],
          security: [{ apiKey: [] }],
          parameters: [
            { name: "externalId", in: "path", required: true, description: "The conversation's id in the case system (URL-encoded).", schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "The conversation.", content: { "application/json": { schema: { $ref: "#/components/schemas/Conversation" } } } },
            "401": problem("Unauthorized"),
            "404": problem("NotFound"),
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          description: "The OpenAPI 3.0 description of the API. No key needed.",
          tags: ["meta"],
          security: [],
          responses: { "200": { description: "The OpenAPI document.", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key of the municipality (starts with `lp_`). It is shown once when created; ask the functional administrator (functioneel beheerder) for one.",
        },
      },
      schemas: {
        ConversationInput: conversationInputSchema(now.getUTCFullYear()),
        Conversation: CONVERSATION_SCHEMA,
        Problem: PROBLEM_SCHEMA,
      },
      responses: {
        BadRequest: problemResponse("The body is not valid JSON, not a JSON object, or has bad fields; `errors` names every bad field. Nothing was stored."),
        Unauthorized: {
          ...problemResponse("No API key, an unknown key or a revoked key."),
          headers: { "WWW-Authenticate": { description: 'Bearer realm="luisterpost"', schema: { type: "string" } } },
        },
        NotFound: problemResponse("No conversation with this externalId in the key's municipality."),
        Conflict: problemResponse("A conversation with this externalId is already registered with different data; `errors` lists each field that differs. Nothing changed."),
        PayloadTooLarge: problemResponse("The body is larger than 1 MB. Nothing was stored."),
        UnsupportedMediaType: problemResponse("The body is not sent as application/json (in UTF-8). Nothing was stored."),
      },
    },
  };
}
