// A real SMTP server on loopback for tests (the smtp-server package): it keeps every message, can refuse
// chosen recipients permanently, can stop answering after a number of messages (so a test can kill the
// sender mid-batch without a message being half accepted), and can be stopped and started on the same port.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = { to: string; raw: string; headers: Record<string, string>; text: string; messageId: string };

export type TestSmtp = {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Recipients refused with 550 at RCPT TO. */
  refuse: Set<string>;
  /** Accept at most this many messages more; later DATA commands get no answer until `release()`. */
  holdAfter(count: number): void;
  /** How many messages are waiting for an answer because of holdAfter. */
  held(): number;
  release(): void;
  /** Forgets the messages held without answer (their sender died: they were never accepted). */
  dropHeld(): void;
  /** Stops listening (the port is kept for start()). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
};

function headersOf(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const end = raw.indexOf("\r\n\r\n");
  for (const line of raw.slice(0, end < 0 ? raw.length : end).replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const name = line.slice(0, line.indexOf(":")).toLowerCase();
    if (!name) continue;
    const value = line.slice(line.indexOf(":") + 1).trim();
    headers[name] = name in headers ? `${headers[name]}\n${value}` : value;
  }
  return headers;
}

/** The text part of a message, quoted-printable decoded: enough to find the links in it. */
export function textOf(raw: string): string {
  const decoded = raw
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(decoded, "latin1").toString("utf8");
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  let limit = Number.POSITIVE_INFINITY;
  const waiting: Array<() => void> = [];
  let server: SMTPServer;
  let port = 0;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      disableReverseLookup: true,
      logger: false,
      size: 10 * 1024 * 1024,
      // Stopping drops open (pooled) connections at once instead of waiting 30 s for the client to leave.
      closeTimeout: 50,
      onRcptTo(address, _session, callback) {
        if (refuse.has(address.address.toLowerCase())) {
          const err = new Error("Mailbox unavailable") as Error & { responseCode: number };
          err.responseCode = 550;
          callback(err);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const accept = () => {
            const raw = Buffer.concat(chunks).toString("latin1");
            const headers = headersOf(raw);
            received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), raw, headers, text: textOf(raw), messageId: headers["message-id"] ?? "" });
            callback();
          };
          if (received.length >= limit) {
            // No answer: the sender waits; if it dies now, the message was never accepted.
            waiting.push(accept);
            return;
          }
          accept();
        });
      },
    });

  const listen = async () => {
    server = make();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    port = (server.server.address() as AddressInfo).port;
  };
  await listen();

  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    refuse,
    holdAfter(count) {
      limit = received.length + count;
    },
    held: () => waiting.length,
    release() {
      limit = Number.POSITIVE_INFINITY;
      for (const accept of waiting.splice(0)) accept();
    },
    dropHeld() {
      limit = Number.POSITIVE_INFINITY;
      waiting.length = 0;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      await listen();
    },
    async close() {
      waiting.length = 0;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The personal questionnaire link in a message, as a path (/s/<token>). */
export function linkIn(text: string): string {
  const match = /https?:\/\/[^\s"<>]+?(\/s\/[A-Za-z0-9_-]{22})/.exec(text);
  if (!match) throw new Error("no questionnaire link in the message");
  return match[1]!;
}
