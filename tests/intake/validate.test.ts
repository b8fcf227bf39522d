import { describe, expect, it } from "vitest";
import {
  normalizeBirthYear,
  normalizeChannel,
  normalizeDate,
  normalizeEmail,
  normalizeLanguage,
  normalizeLaw,
  normalizeMobile,
  normalizePostcode,
  todayInAmsterdam,
} from "../../server/intake/intake.normalize.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";

const value = <T>(r: { ok: true; value: T } | { ok: false; reason: string }) => (r.ok ? r.value : `ERR: ${r.reason}`);

describe("normalising messy case-system values", () => {
  it("reads Dutch and ISO dates, and refuses impossible, future and pre-2015 ones", () => {
    const today = "2026-11-22";
    expect(["2026-10-01", "01-10-2026", "1-10-2026", "01/10/2026", "01.10.2026", " 2026-10-1 "].map((d) => value(normalizeDate(d, today)))).toEqual(
      Array(6).fill("2026-10-01"),
    );
    expect(value(normalizeDate("31-02-2026", today))).toMatch(/geen bestaande datum/);
    expect(value(normalizeDate("2026-11-23", today))).toMatch(/toekomst/);
    expect(value(normalizeDate("2026-11-22", today))).toBe("2026-11-22");
    expect(value(normalizeDate("31-12-2014", today))).toMatch(/vóór 2015/);
    expect(value(normalizeDate("gisteren", today))).toMatch(/geen datum/);
    expect(value(normalizeDate("10/01/26", today))).toMatch(/geen datum/);
  });

  it("knows today's date in the Netherlands, not in UTC", () => {
    expect(todayInAmsterdam(new Date("2026-06-30T22:30:00Z"))).toBe("2026-07-01");
    expect(todayInAmsterdam(new Date("2026-12-31T22:59:00Z"))).toBe("2026-12-31");
  });

  it("turns Dutch mobile numbers into E.164 and refuses landlines and foreign numbers", () => {
    for (const raw of ["06-12345678", "0612345678", "+31 6 1234 5678", "06 12 34 56 78", "(06) 12345678", "0031612345678"]) {
      expect(value(normalizeMobile(raw)), raw).toBe("+31612345678");
    }
    expect(value(normalizeMobile("030-1234567"))).toMatch(/geen mobiel nummer/);
    expect(value(normalizeMobile("+32 470 12 34 56"))).toMatch(/geen Nederlands nummer/);
    expect(value(normalizeMobile("0612"))).toMatch(/geen geldig telefoonnummer/);
    expect(value(normalizeMobile("bel maar"))).toMatch(/geen telefoonnummer/);
  });

  it("writes postcodes as 1234 AB", () => {
    expect(["3831AB", "3831 ab", " 3831  Ab "].map((p) => value(normalizePostcode(p)))).toEqual(["3831 AB", "3831 AB", "3831 AB"]);
    expect(value(normalizePostcode("0123 AB"))).toMatch(/1234 AB/);
    expect(value(normalizePostcode("1234"))).toMatch(/1234 AB/);
    expect(value(normalizePostcode("1234 SS"))).toMatch(/geen bestaande/);
  });

  it("understands the Dutch words for laws, channels and languages", () => {
    expect(["Wmo", "WMO 2015", "jeugdwet", "Jeugd"].map((l) => value(normalizeLaw(l)))).toEqual(["wmo", "wmo", "jeugd", "jeugd"]);
    expect(value(normalizeLaw("participatiewet"))).toMatch(/wmo of jeugd/);
    expect(["e-mail", "Brief", "telefoon", "SMS"].map((c) => value(normalizeChannel(c)))).toEqual(["email", "letter", "phone", "sms"]);
    expect(value(normalizeChannel("duif"))).toMatch(/email, sms/);
    expect(["NL", "Turks", "pap"].map((c) => value(normalizeLanguage(c)))).toEqual(["nl", "tr", "pap"]);
    expect(value(normalizeLanguage("Klingon"))).toMatch(/taalcode/);
  });

  it("checks birth years and e-mail addresses", () => {
    expect(value(normalizeBirthYear("1948"))).toBe(1948);
    expect(value(normalizeBirthYear("1899"))).toMatch(/tussen 1900/);
    expect(value(normalizeBirthYear("48"))).toMatch(/jaartal/);
    expect(value(normalizeEmail(" Test.Persoon@Example.TEST "))).toBe("test.persoon@example.test");
    for (const bad of ["test", "a@b", "a b@example.test", "a@@example.test", "a..b@example.test"]) expect(value(normalizeEmail(bad)), bad).toMatch(/geen geldig/);
  });
});

describe("validateConversation", () => {
  const good = {
    externalId: "KTG-2026-000123",
    law: "wmo",
    heldOn: "2026-10-01",
    team: "Sociaal Team Noord",
    area: "Centrum",
    provision: "huishoudelijke hulp",
    preferredChannel: "email",
    client: {
      externalId: "C-98765",
      birthYear: 1948,
      language: "nl",
      email: "client.een@example.test",
      mobile: "06 12345678",
      address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden" },
    },
  };

  it("accepts the example from the architecture and normalises it", () => {
    const result = validateConversation(good, { strict: true, today: "2026-11-22" });
    expect(result).toEqual({
      ok: true,
      value: {
        externalId: "KTG-2026-000123",
        law: "wmo",
        heldOn: "2026-10-01",
        team: "Sociaal Team Noord",
        area: "Centrum",
        provision: "huishoudelijke hulp",
        preferredChannel: "email",
        client: {
          externalId: "C-98765",
          birthYear: 1948,
          language: "nl",
          contact: { email: "client.een@example.test", mobile: "+31612345678", street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden" },
        },
      },
    });
  });

  it("names every bad field at once", () => {
    const result = validateConversation(
      {
        externalId: "",
        law: "participatiewet",
        heldOn: "2030-01-01",
        extra: 1,
        client: { externalId: "C-1", email: "geen-adres", mobile: "030-1234567", address: { postalCode: "1234" }, shoeSize: 44 },
      },
      { strict: true, today: "2026-11-22" },
    );
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field).sort();
    expect(fields).toEqual(["client.address.postalCode", "client.email", "client.mobile", "client.shoeSize", "extra", "externalId", "heldOn", "law"].sort());
    if (!result.ok) for (const p of result.problems) expect(p.message).toMatch(/^[A-Z].*\.$/);
  });

  it("requires a way to reach the client, and accepts a full address alone", () => {
    const noContact = validateConversation({ ...good, client: { externalId: "C-1", address: { street: "Dorpsstraat", city: "Leusden" } } });
    expect(noContact.ok ? [] : noContact.problems.map((p) => p.field)).toEqual(["client"]);
    const addressOnly = validateConversation({ ...good, client: { externalId: "C-1", address: good.client.address } }, { today: "2026-11-22" });
    expect(addressOnly.ok).toBe(true);
  });

  it("accepts strings for numbers (CSV) and refuses objects where text belongs", () => {
    const csvLike = validateConversation({ ...good, client: { ...good.client, birthYear: "1948" } }, { today: "2026-11-22" });
    expect(csvLike.ok && csvLike.value.client.birthYear).toBe(1948);
    const wrongTypes = validateConversation({ ...good, team: { name: "x" }, client: "C-1" }, { today: "2026-11-22" });
    expect(wrongTypes.ok ? [] : wrongTypes.problems.map((p) => p.field).sort()).toEqual(["client", "client.externalId", "team"]);
    expect(validateConversation([good]).ok).toBe(false);
    expect(validateConversation(null).ok).toBe(false);
  });
});
