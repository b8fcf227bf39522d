// /api/v1: the REST API through which a municipality's case system registers keukentafelgesprekken.
// Thin handlers: check the JSON, register through the intake service, answer with the conversation resource.
// Nothing here logs; the request log has only method, a cleaned path and status (server/logger.ts).
import { Router } from "express";
import { requireApiKey } from "../apikeys/apikeys.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, HttpError, notFound, type FieldProblem } from "../errors.ts";
import { param } from "../middleware/params.ts";
import type { Channel, Law } from "./intake.normalize.ts";
import type { ConversationSummary } from "./intake.queries.ts";
import { FIELD_LABELS, validateConversation } from "./intake.schema.ts";
import { fingerprintKey, getConversation, registerConversations } from "./intake.service.ts";
import { findInvitationStates, measurementOf, type InvitationState, type MeasurementStatus } from "../invitations/measurement.ts";
import { openApiDocument } from "./openapi.ts";

/** What leaves the server about a conversation: never contact data, never answers. */
export type ConversationResource = {
  externalId: string;
  law: Law;
  heldOn: string;
  team: string | null;
  area: string | null;
  provision: string | null;
  preferredChannel: Channel | null;
  client: { externalId: string };
  measurement: {
    status: MeasurementStatus;
    skippedReason: string | null;
    invitation: PresentedInvitation | null;
    response: PresentedResponse | null;
    invitations: Array<PresentedInvitation & { response: PresentedResponse | null }>;
  };
  createdAt: string;
};

type PresentedInvitation = { audience: string; channel: string; status: string; sentAt: string | null; expiresAt: string; remindersSent: number };
type PresentedResponse = { status: string; mode: string; completedAt: string | null };

function presentInvitation(i: InvitationState): PresentedInvitation {
  return { audience: i.audience, channel: i.channel, status: i.status, sentAt: i.sentAt?.toISOString() ?? null, expiresAt: i.expiresAt.toISOString(), remindersSent: i.remindersSent };
}

function presentResponse(r: InvitationState["response"]): PresentedResponse | null {
  return r ? { status: r.status, mode: r.mode, completedAt: r.completedAt?.toISOString() ?? null } : null;
}

export function presentConversation(c: ConversationSummary, invitations: InvitationState[] = []): ConversationResource {
  const measurement = measurementOf(c.planStatus, c.planReason, invitations);
  const first = measurement.invitations[0];
  return {
    externalId: c.externalId,
    law: c.law,
    heldOn: c.heldOn,
    team: c.team,
    area: c.area,
    provision: c.provision,
    preferredChannel: c.preferredChannel,
    client: { externalId: c.clientExternalId },
    measurement: {
      status: measurement.status,
      skippedReason: measurement.skippedReason,
      invitation: first ? presentInvitation(first) : null,
      response: first ? presentResponse(first.response) : null,
      invitations: measurement.invitations.map((i) => ({ ...presentInvitation(i), response: presentResponse(i.response) })),
    },
    createdAt: c.createdAt.toISOString(),
  };
}

// The shared validation accepts numbers for text (a CSV cell has no types, and it tolerates numeric ids) and
// digit strings for the birth year. The API has a typed contract (openapi.ts), so it holds JSON to those
// types: a case system with a generated client gets what the document promises, no more and no less.
const TEXT_FIELDS = [
  "externalId",
  "law",
  "heldOn",
  "team",
  "area",
  "provision",
  "preferredChannel",
  "client.externalId",
  "client.language",
  "client.email",
  "client.mobile",
  "client.address.street",
  "client.address.houseNumber",
  "client.address.postalCode",
  "client.address.city",
];

function valueAt(body: unknown, path: string): unknown {
  let value = body;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function jsonTypeProblems(body: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of TEXT_FIELDS) {
    if (typeof valueAt(body, field) === "number") problems.push({ field, message: `${FIELD_LABELS[field]} moet tekst zijn (tussen aanhalingstekens).` });
  }
  const birthYear = valueAt(body, "client.birthYear");
  if (birthYear !== undefined && birthYear !== null && typeof birthYear !== "number") {
    problems.push({ field: "client.birthYear", message: "Het geboortejaar moet een getal zijn, zoals 1948 (zonder aanhalingstekens)." });
  }
  return problems;
}

const invalidMessage = (count: number) =>
  `Het gesprek is niet opgeslagen: ${count === 1 ? "één veld klopt" : `${count} velden kloppen`} niet. Onder errors staat per veld wat er mis is.`;

export function apiRoutes({ db, config }: { db: Db; config: Config }): Router {
  const router = Router();
  const apiKey = requireApiKey(db);
  const key = fingerprintKey(config.sessionSecret);

  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument(config));
  });

  router.post("/conversations", apiKey, async (req, res) => {
    // false: there is a body, but not JSON (no body at all is null, and is refused below as not an object).
    if (req.is(["application/json", "application/*+json"]) === false) {
      throw new HttpError(415, "unsupported_media_type", "Stuur het gesprek als JSON, met de kop 'Content-Type: application/json'.");
    }
    const typeProblems = jsonTypeProblems(req.body);
    const validation = validateConversation(req.body, { strict: true });
    // A wrongly typed field is reported once, as a type problem, not also as whatever its value lacks.
    const typed = new Set(typeProblems.map((p) => p.field));
    const problems = [...(validation.ok ? [] : validation.problems.filter((p) => !typed.has(p.field))), ...typeProblems];
    if (!validation.ok || problems.length > 0) throw badRequest(invalidMessage(problems.length), problems);

    const input = validation.value;
    const municipalityId = req.apiClient!.municipalityId;
    const [outcome] = await registerConversations(db, key, municipalityId, [input], { source: "api" });
    if (outcome!.kind === "conflict") {
      throw conflict(
        `Er is al een gesprek met dit gesprek-id, met andere gegevens in: ${outcome!.fields.join(", ")}. Er is niets veranderd. ` +
          "Gaat het om een ander gesprek, geef het dan een eigen gesprek-id.",
        outcome!.fields.map((field) => ({ field, message: `Het veld ${field} verschilt van het gesprek dat al bekend is.` })),
      );
    }
    const stored = await getConversation(db, municipalityId, input.externalId);
    if (!stored) throw notFound("Het gesprek is net verwijderd.");
    res.set("Cache-Control", "no-store");
    if (outcome!.kind === "created") res.status(201).location(`/api/v1/conversations/${encodeURIComponent(input.externalId)}`);
    res.json(presentConversation(stored, (await findInvitationStates(db, [stored.id])).get(stored.id)));
  });

  router.get("/conversations/:externalId", apiKey, async (req, res) => {
    const stored = await getConversation(db, req.apiClient!.municipalityId, param(req, "externalId"));
    // Another municipality's conversation is simply not found: its existence is not ours to reveal.
    if (!stored) throw notFound("Er is geen gesprek met dit gesprek-id.");
    res.set("Cache-Control", "no-store").json(presentConversation(stored, (await findInvitationStates(db, [stored.id])).get(stored.id)));
  });

  return router;
}
