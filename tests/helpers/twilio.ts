// A local server that speaks the part of Twilio's REST API Luisterpost uses (creating a message), for tests:
// it records every message, answers with scripted failures when asked (a 500, error 21211), and can sign
// the status callbacks and incoming-SMS webhooks it sends like Twilio does.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import twilio from "twilio";

export const TEST_TWILIO = { sid: `AC${"0".repeat(31)}1`, token: "test-auth-token-0123456789abcdef", from: "+3197010000001" };

export type TwilioMessage = { sid: string; to: string; from: string; body: string; statusCallback: string | undefined };
export type Scripted = { status: number; code?: number; message?: string };

export type TestTwilio = {
  url: string;
  messages: TwilioMessage[];
  /** Requests that got a scripted failure instead of a message. */
  refusals: number;
  /** The next requests get these answers, in order (then 201 again). */
  script(...answers: Scripted[]): void;
  /** Every request to this number fails with this answer. */
  failNumber(to: string, answer: Scripted): void;
  env(): Record<string, string>;
  close(): Promise<void>;
};

export async function startTestTwilio(): Promise<TestTwilio> {
  const messages: TwilioMessage[] = [];
  const queue: Scripted[] = [];
  const perNumber = new Map<string, Scripted>();
  let refusals = 0;
  let sequence = 0;
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post("/2010-04-01/Accounts/:sid/Messages.json", (req, res) => {
    if (req.params.sid !== TEST_TWILIO.sid) return res.status(404).json({ code: 20404, message: "The requested resource was not found", status: 404 });
    const body = req.body as Record<string, string>;
    const scripted = perNumber.get(body.To ?? "") ?? queue.shift();
    if (scripted) {
      refusals += 1;
      return res.status(scripted.status).json({ code: scripted.code ?? scripted.status, message: scripted.message ?? "Scripted failure", more_info: "", status: scripted.status });
    }
    sequence += 1;
    const sid = `SM${String(sequence).padStart(32, "0")}`;
    messages.push({ sid, to: body.To ?? "", from: body.From ?? body.MessagingServiceSid ?? "", body: body.Body ?? "", statusCallback: body.StatusCallback });
    res.status(201).json({ sid, status: "queued", to: body.To, from: body.From, body: body.Body, account_sid: TEST_TWILIO.sid, num_segments: "1" });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    messages,
    get refusals() {
      return refusals;
    },
    script(...answers) {
      queue.push(...answers);
    },
    failNumber(to, answer) {
      perNumber.set(to, answer);
    },
    env: () => ({ TWILIO_ACCOUNT_SID: TEST_TWILIO.sid, TWILIO_AUTH_TOKEN: TEST_TWILIO.token, TWILIO_FROM: TEST_TWILIO.from, TWILIO_API_BASE: url }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The X-Twilio-Signature Twilio would send for a webhook to this public URL with these form fields. */
export function twilioSignature(publicUrl: string, params: Record<string, string>, token = TEST_TWILIO.token): string {
  return twilio.getExpectedTwilioSignature(token, publicUrl, params);
}
