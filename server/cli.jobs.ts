// luisterpost jobs run-due [--json]
// Runs the invitation planner once and then everything it made due: the e-mail and SMS dispatchers until
// nothing due is left, and the print batches of due letters. Messages go to stderr; with --json the counts
// go to stdout. Safe beside a running server: the same database leases keep the work from running twice.
import { parseArgs } from "node:util";
import { CommandError } from "./cli.admin.ts";
import { loadConfig } from "./config.ts";
import { migrateToLatest } from "./db.ts";
import { dispatchAllDue } from "./invitations/dispatch.service.ts";
import { planInvitations } from "./invitations/planner.service.ts";
import { createLetterBatches } from "./letters/letters.service.ts";
import { withLease } from "./locks/locks.service.ts";
import { createLogger } from "./logger.ts";
import { createMailer } from "./mail/mail.service.ts";
import { openDatabase } from "./runtime.ts";
import { createSmsSender } from "./sms/sms.service.ts";
import { loadSurveyCatalog } from "./surveys/surveys.loader.ts";

const USAGE = "Gebruik: luisterpost jobs run-due [--json]";

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function jobsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "run-due") throw new CommandError(USAGE);
  const { values } = parseArgs({ args: rest, options: { json: { type: "boolean", default: false } }, strict: true });
  const config = loadConfig();
  // The command reports through its own output; the logs stay quiet unless LOG_LEVEL asks otherwise.
  const logger = createLogger({ ...config, logLevel: config.logLevel === "info" ? "warn" : config.logLevel });
  const catalog = loadSurveyCatalog();
  const db = await openDatabase(config);
  const mailer = createMailer({ config, db, logger });
  const sms = createSmsSender({ config, db, logger });
  try {
    await migrateToLatest(db);
    say("Planner: uitnodigingen, herinneringen en verlopen uitnodigingen…");
    const planned = await withLease(db, "planner", 10 * 60_000, () => planInvitations(db, catalog));
    if (!planned) say("De planner draait al in een ander proces; die maakt het werk af. Hieronder wordt wel verstuurd wat klaarstaat.");
    const deps = { db, config, mailer, sms, logger };
    say("E-mail versturen…");
    const email = await dispatchAllDue(deps, "email");
    say("Sms versturen…");
    const smsResult = await dispatchAllDue(deps, "sms");
    say("Brieven klaarzetten…");
    const letters = await withLease(db, "letter-batches", 30 * 60_000, () => createLetterBatches(db, config));
    const counts = { planned: planned ?? null, email, sms: smsResult, letters: letters ?? null };
    if (values.json) process.stdout.write(`${JSON.stringify(counts)}\n`);
    const skipped = planned ? Object.values(planned.skipped).reduce((a, b) => a + b, 0) : 0;
    say(
      [
        planned ? `${planned.invitations} uitnodiging(en) gepland, ${skipped} gesprek(ken) overgeslagen, ${planned.reminders} herinnering(en), ${planned.expired} verlopen.` : undefined,
        `E-mail: ${email.sent} verstuurd, ${email.retried} later opnieuw, ${email.failed} mislukt${email.outage ? " (de mailserver is niet bereikbaar; het wordt later opnieuw geprobeerd)" : ""}.`,
        `Sms: ${smsResult.sent} verstuurd, ${smsResult.retried} later opnieuw, ${smsResult.failed} mislukt, ${smsResult.postponed} wachten tot 's ochtends${smsResult.outage ? " (Twilio is niet bereikbaar)" : ""}.`,
        letters ? `Brieven: ${letters.letters} in ${letters.batches} batch(es) klaar om te printen.` : "Brieven: een ander proces maakt ze al.",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  } finally {
    await mailer.close();
    await sms.close();
    await db.destroy();
  }
}
