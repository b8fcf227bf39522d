// A covering index for the report's read of the intakes of a period by what the planner did with them (the
// method note's population): a half year of a large municipality is read from the index alone.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("conversations", (t) => {
    t.index(["municipality_id", "held_on", "plan_status", "plan_reason"], "conversations_report_index");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("conversations", (t) => {
    t.dropIndex([], "conversations_report_index");
  });
}
