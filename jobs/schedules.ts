// Every repeatable job, in one place. Times are Europe/Amsterdam.
export type Schedule = { name: string; cron: string; description: string };

export const SCHEDULES: Schedule[] = [
  { name: "purge-expired-auth", cron: "17 * * * *", description: "expired sessions, old password links and rate-limit windows" },
  { name: "purge-import-rejections", cron: "40 3 * * *", description: "rejected CSV rows (with contact data) older than 30 days" },
];
