// The report's funnel and non-response check read a municipality's invitations of one period: an index on
// the moment they were made keeps that a range scan over ten years of history.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("invitations", (t) => {
    t.index(["municipality_id", "created_at"], "invitations_report_index");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("invitations", (t) => {
    t.dropIndex(["municipality_id", "created_at"], "invitations_report_index");
  });
}
