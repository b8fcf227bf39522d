// The demo municipality and its staff: an account for every role with a fresh random password (printed once:
// even a demo database is not left with a known password) and a TOTP secret for the roles that need one, plus a
// colleague interviewer whose sign-in is not printed, so the follow-up queue shows work of two people.
import { randomBytes } from "node:crypto";
import { enableTotp } from "../accounts/accounts.queries.ts";
import type { Role } from "../accounts/accounts.schema.ts";
import { createTotpSecret } from "../accounts/totp.ts";
import { addUser, type Actor } from "../accounts/users.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { updateMunicipalityContact } from "../municipalities/municipalities.queries.ts";
import { createMunicipality } from "../municipalities/municipalities.service.ts";
import { MUNICIPALITY } from "./demo.texts.ts";

export const DEMO_ACTOR: Actor = { actor: "demo", actorUserId: null, ip: null, requestId: null, name: "Luisterpost demo" };

export type DemoAccount = { role: string; email: string; password: string; totpSecret: string | null };

/** A staff member as the follow-up services take them (the page's req.tenant and req.staff). */
export type StaffMember = { municipalityId: number; userId: number; role: Role; email: string; actor: { actorUserId: number; actor: string; ip: null; requestId: null } };

export type DemoStaff = {
  municipality: { id: number; code: string; name: string };
  accounts: DemoAccount[];
  admin: StaffMember;
  interviewer: StaffMember;
  colleague: StaffMember;
  reader: StaffMember;
  dataEntry: StaffMember;
  userIds: number[];
};

type Person = { key: "platform" | "admin" | "interviewer" | "colleague" | "reader" | "dataEntry"; role: Role | "platform"; email: string; name: string; printed: boolean };

const PEOPLE: Person[] = [
  { key: "platform", role: "platform", email: "platform@voorbeeldstad.example.test", name: "Demo Platformbeheer", printed: true },
  { key: "admin", role: "admin", email: "beheer@voorbeeldstad.example.test", name: "Demo Beheerder", printed: true },
  { key: "interviewer", role: "interviewer", email: "interviewer@voorbeeldstad.example.test", name: "Demo Interviewer", printed: true },
  { key: "reader", role: "reader", email: "lezer@voorbeeldstad.example.test", name: "Demo Lezer", printed: true },
  { key: "dataEntry", role: "data-entry", email: "invoer@voorbeeldstad.example.test", name: "Demo Invoerder", printed: true },
  { key: "colleague", role: "interviewer", email: "collega@voorbeeldstad.example.test", name: "Demo Collega", printed: false },
];

export async function createDemoStaff(db: Db, config: Config): Promise<DemoStaff> {
  const municipality = await createMunicipality(db, { code: MUNICIPALITY.code, name: MUNICIPALITY.name }, DEMO_ACTOR);
  await updateMunicipalityContact(db, municipality.id, { phone: "14 0999", contactEmail: "onderzoek@voorbeeldstad.example.test" });
  const accounts: DemoAccount[] = [];
  const members = new Map<Person["key"], StaffMember>();
  const userIds: number[] = [];
  for (const person of PEOPLE) {
    const password = randomBytes(12).toString("base64url");
    const { user } = await addUser(
      db,
      config,
      undefined,
      {
        email: person.email,
        name: person.name,
        password,
        isPlatformAdmin: person.role === "platform",
        membership: person.role === "platform" ? undefined : { municipalityId: municipality.id, municipalityName: municipality.name, role: person.role },
      },
      DEMO_ACTOR,
    );
    userIds.push(user.id);
    let totpSecret: string | null = null;
    if (person.role !== "reader") {
      totpSecret = createTotpSecret();
      await enableTotp(db, user.id, totpSecret, 0);
    }
    if (person.printed) accounts.push({ role: person.role === "platform" ? "platformbeheerder" : person.role, email: person.email, password, totpSecret });
    if (person.role !== "platform") {
      members.set(person.key, { municipalityId: municipality.id, userId: user.id, role: person.role, email: person.email, actor: { actorUserId: user.id, actor: person.email, ip: null, requestId: null } });
    }
  }
  return {
    municipality: { id: municipality.id, code: municipality.code, name: municipality.name },
    accounts,
    admin: members.get("admin")!,
    interviewer: members.get("interviewer")!,
    colleague: members.get("colleague")!,
    reader: members.get("reader")!,
    dataEntry: members.get("dataEntry")!,
    userIds,
  };
}
