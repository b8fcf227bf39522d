// What the parts of the demo share while the year runs: the database and services' dependencies, the simulated
// time, the staff, every intake by its conversation id, what the providers will make of each address, and what
// each client has seen so far.
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { DispatchDeps } from "../invitations/dispatch.service.ts";
import type { Logger } from "../logger.ts";
import type { Mailer } from "../mail/mail.service.ts";
import type { SmsSender } from "../sms/sms.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import type { DemoStaff } from "./demo.accounts.ts";
import type { SimulatedTime } from "./demo.clock.ts";
import type { EmailFate, Intake, SmsFate } from "./demo.population.ts";

export type ClientState = {
  /** Messages that reached the client (invitation, reminders), on any channel. */
  seen: number;
  /** The client has done (or will do) what their persona does; later messages change nothing. */
  reacted: boolean;
  /** Phone invitations: calls made, and the earliest moment of the next. */
  calls: number;
  nextCallAt: number;
};

export type PrintableLink = { channel: "email" | "sms"; token: string; invitationId: number; at: Date };

export type World = {
  db: Db;
  config: Config;
  catalog: SurveyCatalog;
  logger: Logger;
  time: SimulatedTime;
  start: Date;
  end: Date;
  staff: DemoStaff;
  intakes: Map<number, Intake>;
  emailFates: Map<string, EmailFate>;
  smsFates: Map<string, SmsFate>;
  /** Invitations and reminders sent from this moment on are kept in the dev outbox (older ones would only fill it). */
  outboxFrom: Date;
  mailer: Mailer;
  sms: SmsSender;
  dispatch: DispatchDeps;
  clients: Map<number, ClientState>;
  /** Links of the last weeks' messages, to print a few that are still open. */
  links: PrintableLink[];
  /** One-off parts of the story, done once, and how many follow-ups were planned and written up so far. */
  story: { urgentAcknowledged?: number; urgentOpen?: number; flaggedQuote?: number; handedOver?: number; planned: number; conversations: number };
};

export function clientState(world: World, invitationId: number): ClientState {
  let state = world.clients.get(invitationId);
  if (!state) {
    state = { seen: 0, reacted: false, calls: 0, nextCallAt: 0 };
    world.clients.set(invitationId, state);
  }
  return state;
}

export const QUESTIONNAIRE_OF: Record<string, string> = { client: "wmo", ouders: "jeugd-ouders", jongeren: "jeugd-jongeren" };
