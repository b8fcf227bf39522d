// How respondents reach their municipality when a link does not work (shown on the error pages).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("municipalities", (t) => {
    t.string("phone", 30).nullable();
    t.string("contact_email", 320).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("municipalities", (t) => {
    t.dropColumn("phone");
    t.dropColumn("contact_email");
  });
}
