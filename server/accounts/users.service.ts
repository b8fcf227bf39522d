// Managing staff users: creating and inviting them, roles per municipality, switching them off.
import { recordAudit, type AuditEvent } from "../audit/audit.service.ts";
import { createPasswordLink } from "../auth/auth.service.ts";
import { deleteSessionsOfUser } from "../auth/sessions.queries.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, notFound } from "../errors.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import {
  deleteMembership,
  findMembership,
  findUserByEmail,
  findUserById,
  insertUser,
  invalidateAuthTokens,
  listMembershipsOfUser,
  resetTotp,
  updateUser,
  upsertMembership,
  type UserRow,
} from "./accounts.queries.ts";
import { emailSchema, nameSchema, roleSchema, type Role } from "./accounts.schema.ts";
import { checkPasswordStrength, hashPassword } from "./passwords.ts";

/** Who does it: a signed-in staff member, or the command line. */
export type Actor = Pick<AuditEvent, "actorUserId" | "actor" | "ip" | "requestId"> & { name?: string };

export type NewUserInput = {
  email: string;
  name: string;
  isPlatformAdmin?: boolean;
  membership?: { municipalityId: number; municipalityName: string; role: Role };
  /** Set directly (CLI); otherwise the user chooses one through an e-mailed invitation. */
  password?: string;
};

function parseUserInput(input: NewUserInput): { email: string; name: string } {
  const email = emailSchema.safeParse(input.email);
  const name = nameSchema.safeParse(input.name);
  const fields = [
    ...(email.success ? [] : [{ field: "email", message: email.error.issues[0]!.message }]),
    ...(name.success ? [] : [{ field: "name", message: name.error.issues[0]!.message }]),
  ];
  if (fields.length > 0) throw badRequest("Controleer de gegevens van de gebruiker.", fields);
  return { email: email.data!, name: name.data! };
}

export type AddUserResult = { user: UserRow; created: boolean; invitationLink: string | undefined };

/**
 * Adds a staff user, or gives an existing one a role in another municipality (a research bureau's
 * interviewer serves several). New users without a password get an invitation link; `mailer` sends it.
 */
export async function addUser(db: Db, config: Config, mailer: Mailer | undefined, input: NewUserInput, actor: Actor): Promise<AddUserResult> {
  const { email, name } = parseUserInput(input);
  if (input.password !== undefined) {
    const problem = checkPasswordStrength(input.password, { email, name });
    if (problem) throw badRequest(problem, [{ field: "password", message: problem }]);
  }
  let user = await findUserByEmail(db, email);
  const created = !user;
  if (!user) {
    user = await insertUser(db, {
      email,
      name,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
      isPlatformAdmin: input.isPlatformAdmin ?? false,
    });
    await recordAudit(db, {
      action: "user.created",
      municipalityId: input.membership?.municipalityId ?? null,
      subjectType: "user",
      subjectId: user.id,
      details: { platformAdmin: user.isPlatformAdmin },
      ...actor,
    });
  } else if (input.isPlatformAdmin && !user.isPlatformAdmin) {
    await updateUser(db, user.id, { isPlatformAdmin: true });
  } else if (!input.membership && !input.isPlatformAdmin) {
    throw conflict("Er is al een gebruiker met dit e-mailadres.", [{ field: "email", message: "Er is al een gebruiker met dit e-mailadres." }]);
  }

  if (input.membership) {
    const outcome = await upsertMembership(db, user.id, input.membership.municipalityId, input.membership.role);
    if (outcome !== "same") {
      await recordAudit(db, {
        action: outcome === "added" ? "membership.added" : "membership.role_changed",
        municipalityId: input.membership.municipalityId,
        subjectType: "user",
        subjectId: user.id,
        details: { role: input.membership.role },
        ...actor,
      });
    }
  }

  let invitationLink: string | undefined;
  if (!user.passwordHash && input.password === undefined) {
    invitationLink = await createPasswordLink(db, config, user.id, "invitation");
    if (mailer) {
      const subject = "Uw account voor Luisterpost";
      const body = await renderMail("staff-invitation", {
        subject,
        name: user.name,
        link: invitationLink,
        validFor: "zeven dagen",
        invitedBy: actor.name ?? "De beheerder",
        municipalityName: input.membership?.municipalityName ?? "",
        loginUrl: `${config.baseUrl}/staff/login`,
      });
      await mailer.send({ to: user.email, subject, ...body, category: "staff-invitation", municipalityId: input.membership?.municipalityId ?? null });
      await recordAudit(db, { action: "user.invited", municipalityId: input.membership?.municipalityId ?? null, subjectType: "user", subjectId: user.id, ...actor });
    }
  }
  return { user: (await findUserById(db, user.id))!, created, invitationLink };
}

export async function changeRole(db: Db, municipalityId: number, userId: number, rawRole: unknown, actor: Actor): Promise<void> {
  const role = roleSchema.safeParse(rawRole);
  if (!role.success) throw badRequest(role.error.issues[0]!.message, [{ field: "role", message: role.error.issues[0]!.message }]);
  if (!(await findMembership(db, userId, municipalityId))) throw notFound();
  if (actor.actorUserId === userId) throw badRequest("U kunt uw eigen rol niet wijzigen. Vraag een andere beheerder.");
  if ((await upsertMembership(db, userId, municipalityId, role.data)) === "changed") {
    await recordAudit(db, { action: "membership.role_changed", municipalityId, subjectType: "user", subjectId: userId, details: { role: role.data }, ...actor });
  }
}

/**
 * Takes a user's access to one municipality away. A user left with no municipality and no platform role
 * is switched off as well, so a forgotten account cannot linger.
 */
export async function removeFromMunicipality(db: Db, municipalityId: number, userId: number, actor: Actor): Promise<void> {
  if (actor.actorUserId === userId) throw badRequest("U kunt uw eigen toegang niet intrekken. Vraag een andere beheerder.");
  if (!(await deleteMembership(db, userId, municipalityId))) throw notFound();
  await recordAudit(db, { action: "membership.removed", municipalityId, subjectType: "user", subjectId: userId, ...actor });
  const user = await findUserById(db, userId);
  if (user && !user.isPlatformAdmin && (await listMembershipsOfUser(db, userId)).length === 0) {
    await setUserActive(db, userId, false, actor);
  } else {
    await deleteSessionsOfUser(db, userId);
  }
}

export async function setUserActive(db: Db, userId: number, active: boolean, actor: Actor): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound();
  if (!active && actor.actorUserId === userId) throw badRequest("U kunt uzelf niet uitschakelen.");
  if (user.active === active) return;
  await updateUser(db, userId, { active });
  if (!active) {
    await deleteSessionsOfUser(db, userId);
    await invalidateAuthTokens(db, userId);
  }
  await recordAudit(db, { action: active ? "user.activated" : "user.deactivated", subjectType: "user", subjectId: userId, ...actor });
}

/** Lost phone and no recovery codes: the user sets up two-factor authentication again at the next login. */
export async function resetUserTotp(db: Db, userId: number, actor: Actor): Promise<void> {
  if (!(await findUserById(db, userId))) throw notFound();
  await resetTotp(db, userId);
  await deleteSessionsOfUser(db, userId);
  await recordAudit(db, { action: "totp.reset", subjectType: "user", subjectId: userId, ...actor });
}
