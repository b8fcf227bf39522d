// Tenant isolation, for every staff route there is. The routes are read from the staff router that the app
// mounts at /staff, with the `access` their guard declares, so a route added later is walked without touching
// this file. Two municipalities: A, where the walking users work, and B, whose rows carry marker strings.
// Every route is requested by every kind of user (each role of A, a platform administrator, a research
// bureau's interviewer who serves A and B, and an anonymous visitor): with B's code and B's row ids in the
// URL, with A's code and B's row ids, and with A's code and A's row ids. A municipality the user has no role
// in answers 404, a role that is not enough answers 403, B's row under A's code answers 404 (as if it did not
// exist), nothing answers 500, and no answer carries data the user has no right to.
import type { Express } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES_REQUIRING_TOTP, type Role } from "../../server/accounts/accounts.schema.ts";
import type { Actor } from "../../server/accounts/users.service.ts";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import { recordAudit } from "../../server/audit/audit.service.ts";
import type { Access } from "../../server/auth/auth.types.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import { insertImport } from "../../server/intake/imports.queries.ts";
import { createInvitation } from "../../server/invitations/invitations.service.ts";
import { insertOutboxMessage } from "../../server/mail/mail.queries.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, makeMunicipality, makeUser, signIn, type Agent, type TestUser } from "../helpers/staff.ts";

// --- reading the routes from the router ---------------------------------------------------------------------

type Handler = ((...args: unknown[]) => unknown) & { access?: Access; stack?: Layer[] };
type Layer = { rawPath?: unknown; method?: string; handle: Handler; route?: { path: unknown; methods: Record<string, boolean>; stack: Layer[] } };

type StaffRoute = {
  method: string;
  /** The full path below the app, e.g. /staff/m/:code/users. */
  path: string;
  access: Access | undefined;
  /** A route's guard must run before anything else of the route. */
  guardIsFirst: boolean;
};

/** The staff router as the app mounts it at /staff (not a second copy built by the test). */
function mountedStaffRouters(app: Express): Layer[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.filter((layer) => layer.rawPath === "/staff" && Array.isArray(layer.handle.stack));
}

function routesOf(stack: Layer[], prefix: string): StaffRoute[] {
  const routes: StaffRoute[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const routePath of paths) {
        const path = typeof routePath === "string" ? `${prefix}${routePath}` : `${prefix}${String(routePath)} (not a string path)`;
        for (const name of Object.keys(layer.route.methods)) {
          const methods = name === "_all" ? ["get", "post"] : [name];
          for (const method of methods) {
            const handlers: Layer[] = layer.route.stack.filter((l: Layer) => l.method === undefined || l.method === method);
            const guardIndex = handlers.findIndex((l) => l.handle.access !== undefined);
            routes.push({ method: method.toUpperCase(), path, access: handlers[guardIndex]?.handle.access, guardIsFirst: guardIndex === 0 });
          }
        }
      }
    } else if (Array.isArray(layer.handle.stack) && typeof layer.rawPath === "string") {
      // A router mounted inside the staff router: its routes are staff routes too.
      routes.push(...routesOf(layer.handle.stack, `${prefix}${layer.rawPath === "/" ? "" : layer.rawPath}`));
    }
  }
  return routes;
}

const paramsOf = (path: string) => [...path.matchAll(/[:*](\w+)/g)].map((m) => m[1]!);

/**
 * The rows the walk has of each municipality, by where the parameter stands ("outbox/:id" is a message,
 * "imports/:id" would be something else). A route with a parameter not listed here is still walked (guards,
 * statuses, markers) with id 1; give it a row of each municipality here and in beforeAll to test its ids too.
 */
const ROW_KINDS: Record<string, RowKind> = {
  "users/:userId": "user",
  "api-keys/:keyId": "key",
  "outbox/:id": "message",
  "clients/:clientId": "client",
  "imports/:id": "import",
  "invitations/:invitationId": "invitation",
};
type RowKind = "user" | "key" | "message" | "client" | "import" | "invitation";
const NOT_ROWS = new Set(["code", "token", "questionnaire"]);

/** Each parameter of a path with the kind of row it names (undefined: a kind the walk has no rows of). */
function rowParamsOf(path: string): Array<{ name: string; kind: RowKind | undefined }> {
  return [...path.matchAll(/([\w.-]+)\/[:*](\w+)/g)]
    .filter((m) => !NOT_ROWS.has(m[2]!))
    .map((m) => ({ name: m[2]!, kind: ROW_KINDS[`${m[1]}/:${m[2]}`] }));
}

// --- the two municipalities and their markers --------------------------------------------------------------

/** A's name: every page of A says it, so a 200 with it is a real page of A. */
const A_NAME = "Merelveen";
/** A's administrative rows (other staff, API keys, audit trail, outbox): for A's admins on A's pages. */
const A_ADMIN = "Xqaintern";
/** A's clients' contact data: on A's pages that only the roles that may see contact data can open. */
const A_CONTACT = "Xqacontact";
/** B's name: for users with a role in B. */
const B_NAME = "Zwaluwkoog";
/** B's administrative rows: staff names and addresses, API keys, audit trail, outbox. For B's admins only. */
const B_ADMIN = "Xqbgeheim";
/** B's conversations and clients, without contact data: for B's staff on B's pages. */
const B_CASE = "Xqbdossier";
/** B's clients' contact data: for B's staff in a role that may see contact data, on such a page of B. */
const B_CONTACT = "Xqbcontact";

/** The roles that may see clients' contact data (issue #3: the roles that need two-factor authentication). */
const CONTACT_ROLES: readonly Role[] = ROLES_REQUIRING_TOTP;

const WALK_PASSWORD = "wandel-route-kaart-noord-zuid";

type WalkerKind = "admin" | "interviewer" | "reader" | "data-entry" | "platform-admin" | "bureau" | "anonymous";

type Walker = {
  kind: WalkerKind;
  user: TestUser | undefined;
  isPlatformAdmin: boolean;
  /** Municipality code → role. */
  roles: Map<string, Role>;
  /** The municipality the user works for (A), if any: routes with :code are walked with it too. */
  own: string | undefined;
  agent: Agent;
  csrf: string;
};

type Outcome = { walker: WalkerKind; method: string; url: string; status: number };

describe("tenant isolation across every staff route", () => {
  let t: TestApp;
  let routes: StaffRoute[];
  let a: MunicipalityRow;
  let b: MunicipalityRow;
  let bAdmin: TestUser;
  let bReader: TestUser;
  let bKeyId: number;
  let bOutboxId: number;
  let bClientId: number;
  let bImportId: number;
  let bInvitationId: number;
  /** A's own rows of each kind, for the same routes with A's code: what a role of A may do with them. */
  let aRows: Record<RowKind, string>;
  let bRows: Record<RowKind, string>;
  const walkers: Walker[] = [];

  const db = () => t.database.db;

  /** What of B may not change, whatever anyone without a role in B does. */
  async function snapshotOfB() {
    return {
      memberships: await db()("memberships").where({ municipality_id: b.id }).select("user_id", "role").orderBy("user_id"),
      keys: await db()("api_keys").where({ municipality_id: b.id }).select("id", "name", "revoked_at").orderBy("id"),
      users: await db()("users").whereIn("id", [bAdmin.user.id, bReader.user.id]).select("id", "email", "name").orderBy("id"),
      clients: await db()("clients").where({ municipality_id: b.id }).select("id", "external_id", "opted_out_at").orderBy("id"),
      contacts: await db()("client_contacts").where({ client_id: bClientId }).select("email", "street", "city"),
      outbox: await db()("dev_outbox").where({ municipality_id: b.id }).select("id", "recipient", "subject").orderBy("id"),
      invitations: await db()("invitations").where({ municipality_id: b.id }).select("id", "status", "opened_at").orderBy("id"),
      responses: await db()("responses").where({ municipality_id: b.id }).select("id", "status", "answers").orderBy("id"),
    };
  }

  /** Signs the walker in (again) through the real forms, with a fresh agent and its CSRF token. */
  async function startWalking(walker: Walker): Promise<void> {
    // Rate limits are not what this test is about; the walk signs in more often than a person would.
    await db()("rate_limits").delete();
    if (!walker.user) {
      walker.agent = request.agent(t.app);
      walker.csrf = await csrfFor(walker.agent, "/staff/login");
      return;
    }
    // A second sign-in within the same 30-second step would be refused as a replayed TOTP code (as it should,
    // tested elsewhere); the step is released so the walker can sign in again after a route ended the session.
    await db()("users").where({ id: walker.user.user.id }).update({ totp_last_step: null });
    walker.agent = await signIn(t.app, walker.user);
    walker.csrf = await csrfFor(walker.agent, "/staff/account");
  }

  async function registerClient(municipality: MunicipalityRow, marker: string, contactMarker: string): Promise<number> {
    const input = validateConversation({
      externalId: `KTG-${marker}`,
      law: "wmo",
      heldOn: "2026-10-01",
      team: `Team ${marker}`,
      client: {
        externalId: `CLIENT-${marker}`,
        email: `klant.${contactMarker.toLowerCase()}@example.test`,
        mobile: "0612345678",
        address: { street: `${contactMarker}straat`, houseNumber: "7", postalCode: "3831 AB", city: `${contactMarker}stad` },
      },
    });
    if (!input.ok) throw new Error(JSON.stringify(input.problems));
    await registerConversations(db(), fingerprintKey(t.config.sessionSecret), municipality.id, [input.value], { source: "api" });
    return (await db()("clients").where({ municipality_id: municipality.id, external_id: `CLIENT-${marker}` }).first("id")).id as number;
  }

  /** An open invitation (Wmo questionnaire) for the client's conversation. */
  async function inviteClient(municipality: MunicipalityRow, marker: string, clientId: number): Promise<number> {
    const conversation = await db()("conversations").where({ municipality_id: municipality.id, external_id: `KTG-${marker}` }).first("id");
    const made = await createInvitation(db(), t.catalog, { municipalityId: municipality.id, conversationId: conversation.id, clientId, questionnaire: "wmo", audience: "client", channel: "letter" });
    return made.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    routes = mountedStaffRouters(t.app).flatMap((layer) => routesOf(layer.handle.stack!, "/staff"));

    a = await makeMunicipality(db(), { code: "GM9801", name: A_NAME });
    b = await makeMunicipality(db(), { code: "GM9802", name: B_NAME });

    // A's administrative rows and a client of A. (Made first, so that B's ids are not simply 1.) The walk's
    // admin may change or remove the target and revoke the key; Anna stays, for the pages checked at the end.
    const aLower = A_ADMIN.toLowerCase();
    const aHidden = await makeUser(db(), { name: `Anna ${A_ADMIN}`, email: `anna.${aLower}@merelveen.test`, memberships: [{ municipalityId: a.id, role: "data-entry" }] });
    const aTarget = await makeUser(db(), { name: `Otto ${A_ADMIN}`, email: `otto.${aLower}@merelveen.test`, memberships: [{ municipalityId: a.id, role: "data-entry" }] });
    const aActor: Actor = { actorUserId: aHidden.user.id, actor: aHidden.email, ip: "192.0.2.1", requestId: `req-${aLower}` };
    const aKey = await createApiKey(db(), a.id, `Koppeling ${A_ADMIN}`, aActor);
    await recordAudit(db(), { action: "export.downloaded", municipalityId: a.id, subjectType: "export", subjectId: `export-${aLower}`, ...aActor });
    const aOutbox = await insertOutboxMessage(db(), { channel: "email", municipalityId: a.id, category: "reminder", recipient: `klant.${aLower}@example.test`, bodyText: `Herinnering ${A_ADMIN}` });
    const aClientId = await registerClient(a, "Aclient", A_CONTACT);
    const aImport = await insertImport(db(), { municipalityId: a.id, filename: `export-${aLower}.csv`, status: "done", sizeBytes: 10, uploadFile: null, createdByUserId: null });
    const aInvitation = await inviteClient(a, "Aclient", aClientId);
    aRows = { user: String(aTarget.user.id), key: String(aKey.row.id), message: String(aOutbox.id), client: String(aClientId), import: String(aImport), invitation: String(aInvitation) };

    // B's rows, each with its marker.
    const lower = B_ADMIN.toLowerCase();
    bAdmin = await makeUser(db(), { name: `Bea ${B_ADMIN}`, email: `bea.${lower}@zwaluwkoog.test`, memberships: [{ municipalityId: b.id, role: "admin" }] });
    bReader = await makeUser(db(), { name: `Rob ${B_ADMIN}`, email: `rob.${lower}@zwaluwkoog.test`, memberships: [{ municipalityId: b.id, role: "reader" }] });
    const bActor: Actor = { actorUserId: bAdmin.user.id, actor: bAdmin.email, ip: "192.0.2.2", requestId: `req-${lower}` };
    bKeyId = (await createApiKey(db(), b.id, `Zaaksysteem ${B_ADMIN}`, bActor)).row.id;
    bClientId = await registerClient(b, B_CASE, B_CONTACT);
    await recordAudit(db(), { action: "contact.viewed", municipalityId: b.id, subjectType: "client", subjectId: bClientId, details: { note: B_ADMIN }, ...bActor });
    await recordAudit(db(), { action: "export.downloaded", municipalityId: b.id, subjectType: "export", subjectId: `export-${lower}`, ...bActor });
    bOutboxId = (
      await insertOutboxMessage(db(), {
        channel: "email",
        municipalityId: b.id,
        category: "staff-invitation",
        recipient: `nieuw.${lower}@zwaluwkoog.test`,
        subject: `Uitnodiging ${B_ADMIN}`,
        bodyText: `Welkom bij ${B_NAME}, ${B_ADMIN}.`,
      })
    ).id;
    bImportId = await insertImport(db(), { municipalityId: b.id, filename: `gesprekken-${lower}.csv`, status: "done", sizeBytes: 10, uploadFile: null, createdByUserId: bAdmin.user.id });
    bInvitationId = await inviteClient(b, B_CASE, bClientId);
    bRows = { user: String(bAdmin.user.id), key: String(bKeyId), message: String(bOutboxId), client: String(bClientId), import: String(bImportId), invitation: String(bInvitationId) };

    // The walkers; they sign in when they start walking.
    const inA = (role: Role) => ({ memberships: [{ municipalityId: a.id, role }] });
    const specs: Array<{ kind: WalkerKind; user?: TestUser; roles: Array<[string, Role]> }> = [
      { kind: "admin", user: await makeUser(db(), inA("admin")), roles: [[a.code, "admin"]] },
      { kind: "interviewer", user: await makeUser(db(), inA("interviewer")), roles: [[a.code, "interviewer"]] },
      { kind: "reader", user: await makeUser(db(), inA("reader")), roles: [[a.code, "reader"]] },
      { kind: "data-entry", user: await makeUser(db(), inA("data-entry")), roles: [[a.code, "data-entry"]] },
      { kind: "platform-admin", user: await makeUser(db(), { platformAdmin: true }), roles: [] },
      {
        // A research bureau's interviewer, serving both A and B.
        kind: "bureau",
        user: await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "interviewer" }, { municipalityId: b.id, role: "interviewer" }] }),
        roles: [[a.code, "interviewer"], [b.code, "interviewer"]],
      },
      { kind: "anonymous", roles: [] },
    ];
    for (const spec of specs) {
      walkers.push({
        kind: spec.kind,
        user: spec.user,
        isPlatformAdmin: spec.kind === "platform-admin",
        roles: new Map(spec.roles),
        own: spec.roles.some(([code]) => code === a.code) ? a.code : undefined,
        agent: undefined as unknown as Agent,
        csrf: "",
      });
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The markers a walker may not see in the answer to this request. */
  function forbiddenMarkers(walker: Walker, route: StaffRoute, code: string, authorised: boolean): string[] {
    const access = route.access;
    // The platform pages and the dev outbox span every municipality, by design, for platform administrators.
    if (access?.kind === "platform-admin" && walker.isPlatformAdmin) return [];
    const pageOf = (m: MunicipalityRow) => authorised && access?.kind === "municipality" && code === m.code;
    const contactPage = access?.kind === "municipality" && access.roles.every((role) => CONTACT_ROLES.includes(role));
    const markers: string[] = [];
    if (!walker.roles.has(b.code)) markers.push(B_NAME);
    if (!(pageOf(b) && walker.roles.get(b.code) === "admin")) markers.push(B_ADMIN);
    if (!pageOf(b)) markers.push(B_CASE);
    if (!(pageOf(b) && contactPage)) markers.push(B_CONTACT);
    if (!(pageOf(a) && walker.roles.get(a.code) === "admin")) markers.push(A_ADMIN);
    if (!(pageOf(a) && contactPage)) markers.push(A_CONTACT);
    return markers;
  }

  it("reads the staff routes from the app, and every one declares who may use it with a guard that runs first", () => {
    expect(mountedStaffRouters(t.app), "exactly one router mounted at /staff").toHaveLength(1);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    // Sanity: what the walk relies on is really there.
    expect(routes).toContainEqual({ method: "GET", path: "/staff/m/:code/users", access: { kind: "municipality", roles: ["admin"] }, guardIsFirst: true });
    expect(routes).toContainEqual({ method: "GET", path: "/staff/outbox/:id", access: { kind: "platform-admin" }, guardIsFirst: true });

    const problems = routes.flatMap((r) => {
      const where = `${r.method} ${r.path}`;
      if (!r.access) return [`${where}: no guard from auth.middleware.ts (publicAccess, requireSession, requirePlatformAdmin, requireRole)`];
      if (!r.guardIsFirst) return [`${where}: the guard is not the first handler of the route`];
      if (r.access.kind === "municipality" && !r.path.includes(":code")) return [`${where}: requireRole needs :code in the path`];
      if (r.path.includes("(not a string path)")) return [`${where}: the walk cannot fill in a pattern that is not a string`];
      return [];
    });
    expect(problems, `staff routes without a proper guard:\n${problems.join("\n")}`).toEqual([]);

    // Nothing under /staff bypasses the staff router.
    const appRoutes = (t.app as unknown as { router: { stack: Layer[] } }).router.stack.filter((l) => l.route);
    const strays = appRoutes.filter((l) => String(l.route!.path).startsWith("/staff")).map((l) => String(l.route!.path));
    expect(strays, "routes under /staff registered outside the staff router").toEqual([]);
  });

  it("walks every route as every user: 404 for another municipality, 403 above the role, no 500, no data without a right to it", async () => {
    const before = await snapshotOfB();
    const problems: string[] = [];
    const outcomes: Outcome[] = [];
    const unknownParams = new Set<string>();
    let n = 0;

    /** The route's parameters with B's rows (the other municipality's ids are what an attacker tries), or A's. */
    const fill = (path: string, code: string, rowsOf: "A" | "B") =>
      path.replace(/[{}]/g, "").replace(/([\w.-]+\/)?[:*](\w+)/g, (_, before: string | undefined, name: string) => {
        const prefix = before ?? "";
        if (name === "code") return `${prefix}${code}`;
        if (name === "token") return `${prefix}onbekend${Math.random().toString(36).slice(2)}`;
        // A questionnaire is named, not a row: every municipality has its own settings for "wmo".
        if (name === "questionnaire") return `${prefix}wmo`;
        const kind = ROW_KINDS[`${prefix}:${name}`];
        if (kind) return `${prefix}${(rowsOf === "A" ? aRows : bRows)[kind]}`;
        unknownParams.add(`${prefix}:${name}`);
        return `${prefix}1`;
      });

    for (const walker of walkers) {
      await startWalking(walker);
      for (const route of routes) {
        const params = rowParamsOf(route.path);
        const hasRow = params.some((p) => p.kind !== undefined);
        const hasUnknownParam = params.some((p) => p.kind === undefined);
        // B's code with B's rows; the walker's own code with B's rows, and with its own rows.
        const variants: Array<{ code: string; rowsOf: "A" | "B" }> = !route.path.includes(":code")
          ? [{ code: "", rowsOf: "B" }]
          : [
              { code: b.code, rowsOf: "B" },
              ...(walker.own ? [{ code: walker.own, rowsOf: "B" as const }] : []),
              ...(walker.own && hasRow ? [{ code: walker.own, rowsOf: "A" as const }] : []),
            ];
        for (const { code, rowsOf } of variants) {
          const url = fill(route.path, code, rowsOf);
          const where = `${walker.kind} ${route.method} ${url} (${route.path})`;
          const access = route.access;
          const hasRowOfB = hasRow && rowsOf === "B";

          // What the answer must be, from the route's declaration and the walker's roles.
          let authorised = false;
          let expected: number[] | undefined;
          let loginRedirect = false;
          if (!access) {
            // Unguarded (reported by the test above): at least it must not leak.
          } else if (access.kind === "public") {
            authorised = true;
          } else if (!walker.user) {
            if (route.method === "GET") loginRedirect = true;
            else expected = [401];
          } else if (access.kind === "session") {
            authorised = access.stages.includes("active");
            // A fully signed-in user on a sign-in step is sent on, not shown the step.
            expected = authorised ? (route.method === "GET" ? [200, 303] : undefined) : [303];
          } else if (access.kind === "platform-admin") {
            authorised = walker.isPlatformAdmin;
            expected = authorised ? (route.method === "GET" ? [200] : undefined) : [403];
          } else {
            const role = walker.roles.get(code);
            if (!role) expected = [404];
            else if (!access.roles.includes(role)) expected = [403];
            else {
              authorised = true;
              // B's row through another municipality's URL: as if it did not exist.
              if (hasRowOfB && code !== b.code) expected = [404];
              // A page of the municipality itself; with an id this walk has no row for, only "no 500, no leak".
              else if (route.method === "GET" && !hasUnknownParam) expected = [200];
            }
          }

          // One plausible form for every POST: each route takes the fields it knows. The e-mail address is
          // new each time, the current password wrong, the municipality empty, the code not a valid one.
          const body = {
            _csrf: walker.csrf,
            email: `wandeling-${++n}@example.test`,
            name: "Wandelend Testpersoon",
            role: "reader",
            code: "123456",
            password: WALK_PASSWORD,
            confirmation: WALK_PASSWORD,
            current: "niet-het-huidige-wachtwoord",
            municipality: "",
          };
          const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
          const res = method === "get" ? await walker.agent.get(url) : await walker.agent[method](url).type("form").send(body);
          outcomes.push({ walker: walker.kind, method: route.method, url, status: res.status });

          if (res.status >= 500) problems.push(`${where}: ${res.status}`);
          if (expected && !expected.includes(res.status)) problems.push(`${where}: ${res.status}, expected ${expected.join(" or ")}`);
          if (loginRedirect && !(res.status === 303 && String(res.headers.location).startsWith("/staff/login"))) {
            problems.push(`${where}: ${res.status} ${res.headers.location ?? ""}, expected a redirect to the login page`);
          }
          if (!authorised && res.status === 303 && !/^\/staff(\/|\?|$)/.test(String(res.headers.location))) {
            problems.push(`${where}: redirects out of the staff area to ${res.headers.location}`);
          }
          const seen = `${res.text ?? ""}\n${JSON.stringify(res.headers)}`.toLowerCase();
          const leaked = forbiddenMarkers(walker, route, code, authorised).filter((marker) => seen.includes(marker.toLowerCase()));
          if (leaked.length > 0) problems.push(`${where}: ${res.status} shows ${leaked.join(", ")}${authorised ? "" : " (not authorised)"}`);

          // Some routes end the walker's session (logout, a password change): sign in again and walk on.
          if (walker.user && method !== "get") {
            const check = await walker.agent.get("/staff/account");
            if (check.status !== 200) await startWalking(walker);
          }
        }
      }
    }

    if (unknownParams.size > 0) {
      // Still walked (guards, statuses, markers), but not with the other municipality's ids: see ROW_KINDS.
      console.warn(`[tenant-isolation] no rows for ${[...unknownParams].join(", ")}; walked with id 1 — add them to ROW_KINDS`);
    }
    console.info(`[tenant-isolation] ${routes.length} routes × ${walkers.length} users: ${outcomes.length} requests checked`);
    expect(problems, problems.join("\n")).toEqual([]);
    // Every walker met every route (with B's code, and with its own where the route has one).
    const codeRoutes = routes.filter((r) => r.path.includes(":code"));
    const codeRowRoutes = codeRoutes.filter((r) => rowParamsOf(r.path).some((p) => p.kind !== undefined));
    for (const walker of walkers) {
      const expectedCount = routes.length + (walker.own ? codeRoutes.length + codeRowRoutes.length : 0);
      expect(outcomes.filter((o) => o.walker === walker.kind)).toHaveLength(expectedCount);
    }
    // Nothing of B changed, whoever tried.
    expect(await snapshotOfB()).toEqual(before);
  });

  it("an admin of A gets 404 for B's users, keys and clients through A's URLs, and B's rows stay as they are", async () => {
    const walker = walkers.find((w) => w.kind === "admin")!;
    await startWalking(walker);
    const before = await snapshotOfB();
    expect(before.memberships).toEqual(
      expect.arrayContaining([
        { user_id: bAdmin.user.id, role: "admin" },
        { user_id: bReader.user.id, role: "reader" },
      ]),
    );
    expect(before.keys).toEqual([{ id: bKeyId, name: `Zaaksysteem ${B_ADMIN}`, revoked_at: null }]);
    const trailBefore = await db()("audit_events").where({ actor_user_id: walker.user!.user.id }).count({ n: "*" });

    // Every one of B's rows of each kind, through every admin route of A that takes one.
    const targets: Record<RowKind, string[]> = {
      user: [String(bAdmin.user.id), String(bReader.user.id)],
      key: [String(bKeyId)],
      message: [String(bOutboxId)],
      client: [String(bClientId)],
      import: [String(bImportId)],
      invitation: [String(bInvitationId)],
    };
    const withRowOfB = routes.flatMap((route) => {
      const rowParams = rowParamsOf(route.path);
      const only = rowParams.length === 1 ? rowParams[0]! : undefined;
      const admin = route.access?.kind === "municipality" && route.access.roles.includes("admin");
      return admin && only?.kind ? [{ route, param: only.name, kind: only.kind }] : [];
    });
    // At least: change a role, take access away, revoke a key.
    expect(withRowOfB.length).toBeGreaterThanOrEqual(3);

    const problems: string[] = [];
    for (const { route, param, kind } of withRowOfB) {
      for (const id of targets[kind]) {
        const url = route.path.replace(":code", a.code).replace(`:${param}`, id);
        for (const role of ["admin", "reader", "data-entry"]) {
          const res =
            route.method === "GET"
              ? await walker.agent.get(url)
              : await walker.agent.post(url).type("form").send({ _csrf: walker.csrf, role, name: "Overname" });
          if (res.status !== 404) problems.push(`${route.method} ${url} (role ${role}): ${res.status}, expected 404`);
          const text = res.text.toLowerCase();
          for (const marker of [B_NAME, B_ADMIN, B_CASE, B_CONTACT]) if (text.includes(marker.toLowerCase())) problems.push(`${route.method} ${url}: shows ${marker}`);
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);

    expect(await snapshotOfB()).toEqual(before);
    // Nothing happened, so nothing was recorded: no role change, removal, revocation or contact view.
    expect(await db()("audit_events").where({ actor_user_id: walker.user!.user.id }).count({ n: "*" })).toEqual(trailBefore);
  });

  it("is not vacuous: every role of A opens the pages of A its role allows", async () => {
    const gets = routes.filter((r) => r.method === "GET" && r.access?.kind === "municipality" && paramsOf(r.path).every((p) => p === "code"));
    expect(gets.length).toBeGreaterThanOrEqual(4);
    const opened: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const walker of walkers.filter((w) => w.own !== undefined)) {
      await startWalking(walker);
      const role = walker.roles.get(a.code)!;
      for (const route of gets) {
        if (route.access?.kind !== "municipality" || !route.access.roles.includes(role)) continue;
        const url = route.path.replace(":code", a.code);
        const res = await walker.agent.get(url);
        if (res.status !== 200 || !res.text.includes(A_NAME)) problems.push(`${walker.kind} (${role}) GET ${url}: ${res.status}`);
        else (opened[walker.kind] ??= []).push(route.path);
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
    for (const kind of ["admin", "interviewer", "reader", "data-entry", "bureau"]) {
      expect(opened[kind]?.length ?? 0, `${kind} opened no page of A`).toBeGreaterThan(0);
    }
    // An admin opens every municipality page there is, and the administrative ones show A's own rows.
    expect(opened.admin).toHaveLength(gets.filter((r) => r.access?.kind === "municipality" && r.access.roles.includes("admin")).length);
    const admin = walkers.find((w) => w.kind === "admin")!;
    for (const page of ["users", "api-keys", "audit"]) {
      const res = await admin.agent.get(`/staff/m/${a.code}/${page}`);
      expect(res.text, page).toContain(A_ADMIN);
    }
    // The bureau's interviewer, who serves B too, reaches B's pages for its role, with B's clients (but, in
    // the walk, none of B's administrative pages and no other municipality's rows).
    const bureau = walkers.find((w) => w.kind === "bureau")!;
    const bStart = await bureau.agent.get(`/staff/m/${b.code}`);
    expect(bStart.status).toBe(200);
    expect(bStart.text).toContain(B_NAME);
    const bClient = await bureau.agent.get(`/staff/m/${b.code}/clients/${bClientId}`);
    expect(bClient.status).toBe(200);
    expect(bClient.text).toContain(`CLIENT-${B_CASE}`);
    expect(bClient.text).not.toContain(B_CONTACT);
  });
});
