// On PostgreSQL the funnel's read of a period's invitation facts becomes an index-only scan: the period index
// carries the grouped columns (INCLUDE), so the rows themselves are not visited (measured in
// bench/report.bench.ts). SQLite keeps the table itself in this order already (WITHOUT ROWID).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== "pg") return;
  await knex.raw(
    "create index report_invitation_facts_cover on report_invitation_facts (municipality_id, created_at) include (channel, law, team, area, provision, birth_year, opened, failed, delivery, response)",
  );
  await knex.raw("drop index if exists report_invitation_facts_period_index");
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== "pg") return;
  await knex.raw("create index report_invitation_facts_period_index on report_invitation_facts (municipality_id, created_at)");
  await knex.raw("drop index if exists report_invitation_facts_cover");
}
