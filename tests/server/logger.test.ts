import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, sanitizePath, serializeError } from "../../server/logger.ts";

describe("sanitizePath", () => {
  it("drops the query string and fragment", () => {
    expect(sanitizePath("/staff/clients?q=Jansen#top")).toBe("/staff/clients");
  });

  it("masks personal link tokens", () => {
    expect(sanitizePath("/s/AbC123xyz/complete")).toBe("/s/:token/complete");
    expect(sanitizePath("/u/AbC123xyz")).toBe("/u/:token");
  });

  it("masks e-mail addresses and phone numbers, also when percent-encoded", () => {
    expect(sanitizePath("/x/test.persoon%40example.nl")).toBe("/x/:email");
    expect(sanitizePath("/x/+31 6 1234 5678/y")).toBe("/x/:number/y");
    expect(sanitizePath("/x/0612345678")).toBe("/x/:number");
  });

  it("keeps ordinary paths, including short numbers", () => {
    expect(sanitizePath("/api/v1/conversations/KTG-2026-123")).toBe("/api/v1/conversations/KTG-2026-123");
  });

  it("survives malformed percent-encoding", () => {
    expect(sanitizePath("/%E0%A4%A")).toBe("/%E0%A4%A");
  });
});

describe("serializeError", () => {
  it("keeps what describes the failure and drops attached data", () => {
    const err = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (email)=(test.persoon@example.nl) already exists.",
      bindings: ["test.persoon@example.nl"],
    });
    const out = serializeError(err);
    expect(out).toMatchObject({ type: "Error", code: "23505", message: "duplicate key value violates unique constraint" });
    expect(JSON.stringify(out)).not.toContain("example.nl");
  });

  it("masks e-mail addresses inside messages", () => {
    expect(serializeError(new Error("no mailbox test.persoon@example.nl")).message).toBe("no mailbox :email");
  });

  it("handles things that are not errors", () => {
    expect(serializeError("boom")).toEqual({ message: "boom" });
  });
});

describe("createLogger", () => {
  it("removes contact fields and headers from anything logged", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ logLevel: "info", isProduction: true }, sink);
    logger.info({ client: { email: "test.persoon@example.nl", mobile: "+31612345678", id: 7 }, req: { headers: { cookie: "x" } } }, "hello");
    const text = lines.join("");
    expect(text).toContain('"id":7');
    expect(text).not.toContain("example.nl");
    expect(text).not.toContain("+31612345678");
    expect(text).not.toContain("cookie");
  });
});
