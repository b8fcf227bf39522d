// Which responses have a follow-up, on their report facts: the follow-up section of a report then reads the few
// facts of its period that have one (a partial index) instead of all of them. A trigger on followups fills it in,
// whichever comes first, the follow-up or the facts (the completion step looks the follow-up up as well).
import type { Knex } from "knex";

function isPg(knex: Knex): boolean {
  return knex.client.config.client === "pg";
}

const ACTION = "update report_facts set followup_id = new.id where response_id = new.response_id";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("report_facts", (t) => {
    t.integer("followup_id").nullable();
  });
  await knex.raw("update report_facts set followup_id = (select fu.id from followups fu where fu.response_id = report_facts.response_id) where exists (select 1 from followups fu where fu.response_id = report_facts.response_id)");
  await knex.raw("create index report_facts_followup_index on report_facts (municipality_id, counted_at) where followup_id is not null");
  if (isPg(knex)) {
    await knex.raw(`create function report_followups_insert() returns trigger language plpgsql as $$ begin ${ACTION}; return null; end $$`);
    await knex.raw("create trigger report_followups_insert after insert on followups for each row execute function report_followups_insert()");
  } else {
    await knex.raw(`create trigger report_followups_insert after insert on followups begin ${ACTION}; end`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.raw("drop trigger if exists report_followups_insert on followups");
    await knex.raw("drop function if exists report_followups_insert()");
  } else {
    await knex.raw("drop trigger if exists report_followups_insert");
  }
  await knex.raw("drop index if exists report_facts_followup_index");
  await knex.schema.alterTable("report_facts", (t) => {
    t.dropColumn("followup_id");
  });
}
