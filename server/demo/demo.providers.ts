// The mail server and Twilio as the demo year meets them: they accept most messages, refuse some addresses
// (SMTP 550), bounce others later, reject invalid numbers (Twilio 21211) and numbers that replied STOP before
// (21610), report delivered or undelivered SMS, and hand each message that arrives to the client. Nothing leaves
// the machine: messages of the last weeks (and every staff e-mail) go to the dev outbox, dated when sent.
import { createMailer, MailSendError, type Mailer } from "../mail/mail.service.ts";
import { findDeliveryByProviderId, markDelivered } from "../invitations/deliveries.queries.ts";
import { failAndFallBack } from "../invitations/fallback.service.ts";
import { createSmsSender, SmsSendError, type SmsSender } from "../sms/sms.service.ts";
import { messageArrived } from "./demo.clients.ts";
import { stampOutbox } from "./demo.queries.ts";
import type { World } from "./demo.world.ts";

const MINUTE = 60_000;
const LINK = /\/s\/([A-Za-z0-9_-]{22})/;

const isInvitation = (category: string) => category === "invitation" || category === "reminder";

export function demoMailer(world: World): Mailer {
  // Never a real SMTP server, whatever the environment says: the recipients are invented. Made per message, with
  // the database (or the simulated day's transaction) of that moment.
  const outbox = () => createMailer({ config: { ...world.config, smtpUrl: undefined }, db: world.db, logger: world.logger });
  let sequence = 0;
  const greylisted = new Set<string>();
  return {
    transport: "outbox",
    async send(mail) {
      const at = world.time.now();
      const fate = world.emailFates.get(mail.to) ?? "ok";
      if (fate === "refused") {
        throw new MailSendError("E-mail niet verstuurd: de mailserver weigerde de ontvanger (SMTP-code 550).", { code: "EENVELOPE", responseCode: 550, permanent: true });
      }
      if (fate === "greylisted" && !greylisted.has(mail.to)) {
        // A busy mail server asks to come back later once: the dispatcher retries with backoff.
        greylisted.add(mail.to);
        throw new MailSendError("E-mail niet verstuurd: de mailserver vroeg om het later opnieuw te proberen (SMTP-code 451).", { code: "EMESSAGE", responseCode: 451, permanent: false });
      }
      let messageId = mail.messageId ?? `<demo-${++sequence}@voorbeeldstad.example.test>`;
      if (!isInvitation(mail.category) || at >= world.outboxFrom) {
        messageId = (await outbox().send(mail)).messageId;
        await stampOutbox(world.db, world.staff.municipality.id, at);
      }
      if (isInvitation(mail.category)) {
        if (fate === "bounce") {
          // The receiving server accepts first and returns a bounce a little later: the next channel takes over.
          world.time.at(at.getTime() + 25 * MINUTE, async (t) => {
            const delivery = await findDeliveryByProviderId(world.db, messageId);
            if (delivery) await failAndFallBack(world.db, delivery, { status: "bounced", error: "Het e-mailadres bestaat niet of weigert post (bounce).", code: "bounce" }, t);
          });
        } else {
          const token = LINK.exec(mail.text)?.[1];
          if (token) await messageArrived(world, { channel: "email", token }, at);
        }
      }
      return { transport: "outbox", messageId };
    },
    async close() {},
  };
}

export function demoSms(world: World): SmsSender {
  const outbox = () => createSmsSender({ config: { ...world.config, twilio: undefined }, db: world.db, logger: world.logger });
  let sequence = 0;
  return {
    transport: "outbox",
    async send(sms) {
      const at = world.time.now();
      const fate = world.smsFates.get(sms.to) ?? "ok";
      if (fate === "invalid") throw new SmsSendError("Sms niet verstuurd: het nummer is ongeldig (Twilio 21211).", { code: "21211", permanent: true, outage: false });
      if (fate === "stop") {
        throw new SmsSendError("Sms niet verstuurd: de ontvanger heeft zich afgemeld (STOP) (Twilio 21610).", { code: "21610", permanent: true, outage: false, optedOut: true });
      }
      let providerId = `SMdemo${String(++sequence).padStart(28, "0")}`;
      if (at >= world.outboxFrom) {
        providerId = (await outbox().send(sms)).providerId;
        await stampOutbox(world.db, world.staff.municipality.id, at);
      }
      // Twilio's status callback a minute later.
      world.time.at(at.getTime() + MINUTE, async (t) => {
        const delivery = await findDeliveryByProviderId(world.db, providerId);
        if (!delivery) return;
        if (fate === "undelivered") await failAndFallBack(world.db, delivery, { status: "failed", error: "De sms is niet aangekomen (Twilio undelivered, code 30003).", code: "30003" }, t);
        else await markDelivered(world.db, delivery.id, t);
      });
      if (fate !== "undelivered") {
        const token = LINK.exec(sms.body)?.[1];
        if (token) await messageArrived(world, { channel: "sms", token, mobile: sms.to }, at);
      }
      return { transport: "outbox", providerId, status: "queued" };
    },
    async close() {},
  };
}
