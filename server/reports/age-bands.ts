// Age bands for the breakdowns and the non-response check. Only the birth year is known, so the age is the
// year of the event (completion, or the report period's year for invitations) minus the birth year.
//
// Wmo (adults): under 65, 65–74, 75–84, 85 and older — where Wmo use changes most (the 75+ and 85+ groups use
// most household help and answer least often online). Jeugd (children and young people up to 23): 0–5
// (before school), 6–11 (primary school), 12–17 (both the parents' and the young person's questionnaire),
// 18–23 (young adults, only their own questionnaire).
// The migration that backfills report_facts repeats these bands in SQL; tests/reports/facts.test.ts checks they agree.

export type AgeBand = "wmo_tot_65" | "wmo_65_74" | "wmo_75_84" | "wmo_85_plus" | "jeugd_0_5" | "jeugd_6_11" | "jeugd_12_17" | "jeugd_18_plus" | "onbekend";

export const AGE_BANDS: Readonly<Record<"wmo" | "jeugd", ReadonlyArray<{ key: AgeBand; label: string; from: number }>>> = {
  wmo: [
    { key: "wmo_tot_65", label: "tot 65 jaar", from: -Infinity },
    { key: "wmo_65_74", label: "65 tot 75 jaar", from: 65 },
    { key: "wmo_75_84", label: "75 tot 85 jaar", from: 75 },
    { key: "wmo_85_plus", label: "85 jaar en ouder", from: 85 },
  ],
  jeugd: [
    { key: "jeugd_0_5", label: "0 tot 6 jaar", from: -Infinity },
    { key: "jeugd_6_11", label: "6 tot 12 jaar", from: 6 },
    { key: "jeugd_12_17", label: "12 tot 18 jaar", from: 12 },
    { key: "jeugd_18_plus", label: "18 jaar en ouder", from: 18 },
  ],
};

export const UNKNOWN_AGE: { key: AgeBand; label: string } = { key: "onbekend", label: "leeftijd onbekend" };

/** The display order of every band: Wmo first, then Jeugd, then unknown. */
export const AGE_BAND_ORDER: readonly AgeBand[] = [...AGE_BANDS.wmo.map((b) => b.key), ...AGE_BANDS.jeugd.map((b) => b.key), UNKNOWN_AGE.key];

export function ageBandLabel(key: string): string {
  return [...AGE_BANDS.wmo, ...AGE_BANDS.jeugd, UNKNOWN_AGE].find((b) => b.key === key)?.label ?? key;
}

/** A birth year outside 1900 … the event year is a typing error in the case system, not an age. */
export function ageBandOf(law: string, birthYear: number | null | undefined, eventYear: number): AgeBand {
  if (typeof birthYear !== "number" || !Number.isInteger(birthYear) || birthYear < 1900 || birthYear > eventYear) return UNKNOWN_AGE.key;
  const age = eventYear - birthYear;
  const bands = law === "jeugd" ? AGE_BANDS.jeugd : AGE_BANDS.wmo;
  let band = bands[0]!.key;
  for (const b of bands) if (age >= b.from) band = b.key;
  return band;
}

/**
 * The same bands as a SQL CASE over a law column and a birth-year column (both dialects). The columns come
 * from code, never from a request; the year is checked to be an integer before it goes into the SQL.
 */
export function ageBandSql(lawColumn: string, birthYearColumn: string, eventYear: number): string {
  if (!Number.isInteger(eventYear)) throw new RangeError(`not a year: ${eventYear}`);
  const branch = (law: "wmo" | "jeugd") => {
    const bands = AGE_BANDS[law];
    const parts = [...bands].reverse().filter((b) => b.from !== -Infinity);
    return `case ${parts.map((b) => `when ${eventYear} - ${birthYearColumn} >= ${b.from} then '${b.key}'`).join(" ")} else '${bands[0]!.key}' end`;
  };
  return (
    `case when ${birthYearColumn} is null or ${birthYearColumn} < 1900 or ${birthYearColumn} > ${eventYear} then '${UNKNOWN_AGE.key}' ` +
    `when ${lawColumn} = 'jeugd' then ${branch("jeugd")} else ${branch("wmo")} end`
  );
}
