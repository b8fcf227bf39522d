// Paper letters: a daily job gathers the letters that are due per municipality into print batches (one PDF
// each, stored until some time after posting), with a fresh paper code and link per letter; staff download
// a batch, print it, and mark it posted, which starts those invitations' clocks.
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { generateLinkToken, generatePaperCode, hashSecret } from "../invitations/codes.ts";
import { markDeliveriesCancelled } from "../invitations/deliveries.queries.ts";
import { failAndFallBack } from "../invitations/fallback.service.ts";
import { findQuestionnaireVersion, insertSecrets } from "../invitations/invitations.queries.ts";
import { invitationSettings } from "../invitations/invitations.schema.ts";
import { messageLocale } from "../invitations/messages.ts";
import { findMunicipalityById } from "../municipalities/municipalities.queries.ts";
import { parseTheme } from "../municipalities/municipalities.service.ts";
import { readSettings } from "../settings/settings.service.ts";
import { buildLetterPdf, type LetterContent } from "./letters.pdf.ts";
import { deletePostedPdfs, findDueLetters, insertLetterBatch, markBatchLettersSent, markBatchPosted, municipalitiesWithDueLetters } from "./letters.queries.ts";

const DAY_MS = 86_400_000;
/** Letters per print file: a file a print shop or office printer handles in one go. */
export const LETTERS_PER_BATCH = 1_000;
/** The print file holds addresses and codes; it is deleted this many days after the batch was posted. */
export const PDF_RETENTION_DAYS = 30;

export type LetterBatchCounts = { batches: number; letters: number; cancelled: number; failed: number };

function addressLines(a: { street: string | null; houseNumber: string | null; postalCode: string | null; city: string | null }): string[] | undefined {
  if (!a.street || !a.houseNumber || !a.postalCode || !a.city) return undefined;
  // PostNL: postcode and town on the last line, the town in capitals, two spaces between them.
  return [`${a.street} ${a.houseNumber}`, `${a.postalCode}  ${a.city.toUpperCase()}`];
}

export async function createLetterBatches(db: Db, config: Config, now = new Date()): Promise<LetterBatchCounts> {
  const counts: LetterBatchCounts = { batches: 0, letters: 0, cancelled: 0, failed: 0 };
  for (const municipalityId of await municipalitiesWithDueLetters(db, now)) {
    const municipality = await findMunicipalityById(db, municipalityId);
    if (!municipality) continue;
    const policy = await readSettings(db, municipalityId, invitationSettings);
    const forms = new Map<number, unknown>();
    const branding = { name: municipality.name, phone: municipality.phone, contactEmail: municipality.contactEmail, logo: parseTheme(municipality.theme).logo };
    for (;;) {
      const due = await findDueLetters(db, municipalityId, now, LETTERS_PER_BATCH);
      if (due.length === 0) break;
      const closed = due.filter((l) => l.optedOut || (l.invitationStatus !== "planned" && l.invitationStatus !== "sent"));
      await markDeliveriesCancelled(db, closed.map((l) => l.deliveryId), now);
      counts.cancelled += closed.length;
      const letters: Array<{ deliveryId: number; invitationId: number; content: LetterContent; token: string }> = [];
      for (const l of due) {
        if (closed.includes(l)) continue;
        const lines = addressLines(l.address);
        if (!lines) {
          await failAndFallBack(db, { id: l.deliveryId, invitationId: l.invitationId, municipalityId, kind: l.kind, sequence: l.sequence }, { status: "failed", error: "Het adres is niet (meer) compleet.", code: "no-address" }, now);
          counts.failed += 1;
          continue;
        }
        let form: unknown;
        if (policy.letterIncludesForm) {
          if (!forms.has(l.questionnaireVersionId)) forms.set(l.questionnaireVersionId, (await findQuestionnaireVersion(db, l.questionnaireVersionId))?.definition);
          form = forms.get(l.questionnaireVersionId);
        }
        const token = generateLinkToken();
        letters.push({
          deliveryId: l.deliveryId,
          invitationId: l.invitationId,
          token,
          content: {
            kind: l.kind,
            audience: l.audience,
            locale: messageLocale(l.language),
            addressLines: lines,
            code: generatePaperCode(),
            link: `${config.baseUrl}/s/${token}`,
            codeUrl: `${config.baseUrl.replace(/^https?:\/\//, "")}/code`,
            // Posting takes a day or two; the letter promises the policy's time from the print date.
            until: new Date(now.getTime() + policy.expiryDays * DAY_MS),
            form,
          },
        });
      }
      if (letters.length === 0) continue;
      const pdf = await buildLetterPdf(letters.map((l) => l.content), branding, now);
      await db.transaction(async (trx) => {
        await insertSecrets(trx, [
          ...letters.map((l) => ({ invitationId: l.invitationId, kind: "code" as const, secretHash: hashSecret(l.content.code), deliveryId: l.deliveryId })),
          ...letters.map((l) => ({ invitationId: l.invitationId, kind: "token" as const, secretHash: hashSecret(l.token), deliveryId: l.deliveryId })),
        ]);
        await insertLetterBatch(trx, municipalityId, letters.map((l) => l.deliveryId), pdf, now);
      });
      counts.batches += 1;
      counts.letters += letters.length;
    }
  }
  return counts;
}

/** Staff handed the batch to the post: its letters count as sent from now. False when it was already marked. */
export async function markLettersPosted(db: Db, municipalityId: number, batchId: number, userId: number | null, now = new Date()): Promise<boolean> {
  const policy = await readSettings(db, municipalityId, invitationSettings);
  const first = policy.reminderDays[0];
  return db.transaction(async (trx) => {
    if (!(await markBatchPosted(trx, municipalityId, batchId, userId, now))) return false;
    await markBatchLettersSent(trx, batchId, now, {
      expiresAt: new Date(now.getTime() + policy.expiryDays * DAY_MS),
      nextReminderAt: first === undefined ? null : new Date(now.getTime() + first * DAY_MS),
    });
    return true;
  });
}

export async function purgePostedLetterFiles(db: Db, now = new Date()): Promise<number> {
  return deletePostedPdfs(db, new Date(now.getTime() - PDF_RETENTION_DAYS * DAY_MS), now);
}
