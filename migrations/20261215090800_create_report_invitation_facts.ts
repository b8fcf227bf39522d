// The report's view of the invitations: one narrow row per invitation with what the funnel and the
// non-response check group by (created_at, channel, the intake's law, team, area and provision, the client's
// birth year) and how far it got (opened, the best delivery state, failed, started or completed). Triggers on
// invitations, deliveries, responses, conversations and clients keep it up to date in the same statement that
// changes them, whichever code does so, so a report reads one contiguous range instead of joining five tables
// for every invitation of its period. A trigger only ever inserts what is missing or updates its own row: it
// cannot make the statement that fires it fail.
import type { Knex } from "knex";

const DELIVERY_STATE = (invitation: string) =>
  `coalesce((select max(case when d.status in ('sent', 'delivered') then 2 when d.status in ('bounced', 'failed') then 1 else 0 end) from deliveries d where d.invitation_id = ${invitation}), 0)`;
const RESPONSE_STATE = (invitation: string) =>
  `coalesce((select max(case when r.status = 'completed' then 2 else 1 end) from responses r where r.invitation_id = ${invitation}), 0)`;

function isPg(knex: Knex): boolean {
  return knex.client.config.client === "pg";
}

const COLUMNS = "invitation_id, municipality_id, created_at, channel, law, team, area, provision, birth_year, opened, failed, delivery, response";

function selectFacts(invitation: string, where: string): string {
  return `select i.id, i.municipality_id, i.created_at, i.channel, c.law, c.team, c.area, c.provision, cl.birth_year,
      case when i.opened_at is null then 0 else 1 end, case when i.status = 'failed' then 1 else 0 end,
      ${DELIVERY_STATE(invitation)}, ${RESPONSE_STATE(invitation)}
    from invitations i join conversations c on c.id = i.conversation_id join clients cl on cl.id = i.client_id
    where ${where}`;
}

// What each trigger does, written once for both dialects: `new` is the changed row.
const ACTIONS = {
  invitation_insert: `insert into report_invitation_facts (${COLUMNS}) ${selectFacts("new.id", "i.id = new.id")} on conflict (invitation_id) do nothing`,
  invitation_update: `update report_invitation_facts set channel = new.channel, created_at = new.created_at,
      opened = case when new.opened_at is null then 0 else 1 end, failed = case when new.status = 'failed' then 1 else 0 end
    where invitation_id = new.id`,
  delivery_change: `update report_invitation_facts set delivery = ${DELIVERY_STATE("new.invitation_id")} where invitation_id = new.invitation_id`,
  response_change: `update report_invitation_facts set response = ${RESPONSE_STATE("new.invitation_id")} where invitation_id = new.invitation_id`,
  conversation_update: `update report_invitation_facts set law = new.law, team = new.team, area = new.area, provision = new.provision
    where invitation_id in (select id from invitations where conversation_id = new.id)`,
  client_update: `update report_invitation_facts set birth_year = new.birth_year where invitation_id in (select id from invitations where client_id = new.id)`,
} as const;

const TRIGGERS: Array<{ name: keyof typeof ACTIONS; table: string; event: string; columns?: string }> = [
  { name: "invitation_insert", table: "invitations", event: "insert" },
  { name: "invitation_update", table: "invitations", event: "update", columns: "channel, status, opened_at, created_at" },
  { name: "delivery_change", table: "deliveries", event: "insert" },
  { name: "delivery_change", table: "deliveries", event: "update", columns: "status" },
  { name: "response_change", table: "responses", event: "insert" },
  { name: "response_change", table: "responses", event: "update", columns: "status" },
  { name: "conversation_update", table: "conversations", event: "update", columns: "law, team, area, provision" },
  { name: "client_update", table: "clients", event: "update", columns: "birth_year" },
];

const triggerName = (t: (typeof TRIGGERS)[number]) => `report_${t.table}_${t.event}`;

export async function up(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.schema.createTable("report_invitation_facts", (t) => {
      t.integer("invitation_id").primary().references("id").inTable("invitations").onDelete("CASCADE");
      t.integer("municipality_id").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
      t.string("channel", 10).notNullable();
      t.string("law", 10).notNullable();
      t.string("team", 200).nullable();
      t.string("area", 200).nullable();
      t.string("provision", 200).nullable();
      t.integer("birth_year").nullable();
      t.smallint("opened").notNullable();
      t.smallint("failed").notNullable();
      // 0 nothing yet, 1 only bounced or failed messages, 2 a message sent or delivered
      t.smallint("delivery").notNullable();
      // 0 not started, 1 started, 2 completed
      t.smallint("response").notNullable();
      t.index(["municipality_id", "created_at"], "report_invitation_facts_period_index");
    });
  } else {
    // Keyed by municipality and moment, so a period of one municipality is one contiguous range.
    await knex.raw(`create table report_invitation_facts (
      invitation_id integer not null references invitations(id) on delete cascade,
      municipality_id integer not null,
      created_at datetime not null,
      channel varchar(10) not null,
      law varchar(10) not null,
      team varchar(200) null,
      area varchar(200) null,
      provision varchar(200) null,
      birth_year integer null,
      opened integer not null,
      failed integer not null,
      delivery integer not null,
      response integer not null,
      primary key (municipality_id, created_at, invitation_id)
    ) without rowid`);
    await knex.raw("create unique index report_invitation_facts_invitation_unique on report_invitation_facts (invitation_id)");
  }
  await knex.raw(`insert into report_invitation_facts (${COLUMNS}) ${selectFacts("i.id", "1 = 1")}`);

  for (const t of TRIGGERS) {
    const when = `after ${t.event}${t.columns ? ` of ${t.columns}` : ""} on ${t.table}`;
    if (isPg(knex)) {
      await knex.raw(`create function ${triggerName(t)}() returns trigger language plpgsql as $$ begin ${ACTIONS[t.name]}; return null; end $$`);
      await knex.raw(`create trigger ${triggerName(t)} ${when} for each row execute function ${triggerName(t)}()`);
    } else {
      await knex.raw(`create trigger ${triggerName(t)} ${when} begin ${ACTIONS[t.name]}; end`);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const t of TRIGGERS) {
    if (isPg(knex)) {
      await knex.raw(`drop trigger if exists ${triggerName(t)} on ${t.table}`);
      await knex.raw(`drop function if exists ${triggerName(t)}()`);
    } else {
      await knex.raw(`drop trigger if exists ${triggerName(t)}`);
    }
  }
  await knex.schema.dropTable("report_invitation_facts");
}
