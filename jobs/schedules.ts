// Every repeatable job, in one place. Times are Europe/Amsterdam.
export type Schedule = { name: string; cron: string; description: string };

export const SCHEDULES: Schedule[] = [
  { name: "purge-expired-auth", cron: "17 * * * *", description: "expired sessions, old password links and rate-limit windows" },
  { name: "purge-import-rejections", cron: "40 3 * * *", description: "rejected CSV rows (with contact data) older than 30 days" },
  { name: "purge-contact-data", cron: "50 3 * * *", description: "contact data past the municipality's retention (default 90 days after everything closed); dev outbox after 30 days" },
  { name: "plan-invitations", cron: "* * * * *", description: "due invitations, reminders and expiry; wakes the dispatchers" },
  { name: "letter-batches", cron: "0 6 * * *", description: "print batches of the due letters; print files deleted 30 days after posting" },
  { name: "quarterly-reports", cron: "10 7 * * *", description: "after a quarter ends: e-mail each municipality's readers a link to its report, once" },
];
