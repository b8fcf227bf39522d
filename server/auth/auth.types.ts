// What a request knows about the signed-in staff member and the municipality they act for.
import type { MembershipRow } from "../accounts/accounts.queries.ts";
import type { Role } from "../accounts/accounts.schema.ts";
import type { SessionStage } from "./sessions.queries.ts";

export type StaffUser = {
  id: number;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  totpEnabled: boolean;
  /** Whether this user must use two-factor authentication (see ROLES_REQUIRING_TOTP). */
  requiresTotp: boolean;
};

export type StaffContext = { user: StaffUser; sessionIdHash: string; stage: SessionStage; memberships: MembershipRow[] };

export type TenantContext = { municipalityId: number; code: string; name: string; role: Role };

/**
 * Who may use a route. Every staff route declares one (see auth.middleware.ts); the tenant-isolation test
 * reads these declarations from the router.
 */
export type Access =
  | { kind: "public" }
  | { kind: "session"; stages: SessionStage[] }
  | { kind: "platform-admin" }
  | { kind: "municipality"; roles: Role[] };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      staff?: StaffContext;
      tenant?: TenantContext;
    }
  }
}
