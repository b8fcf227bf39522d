// The Dutch words of the reports, in one place (STYLE.md: user-facing text in a messages module per feature).

export const CHANNEL_LABELS: Record<string, string> = {
  email: "E-mail",
  sms: "Sms",
  letter: "Brief",
  phone: "Telefoon",
};
export const CHANNEL_ORDER = ["email", "sms", "letter", "phone"];

export const MODE_LABELS: Record<string, string> = {
  online: "Online (link in e-mail)",
  sms: "Online (link in sms)",
  code: "Online (code uit brief)",
  paper: "Papieren vragenlijst",
  phone: "Telefonisch",
};
export const MODE_ORDER = ["online", "sms", "code", "paper", "phone"];

export const LAW_LABELS: Record<string, string> = { wmo: "Wmo", jeugd: "Jeugd" };

export const THEME_LABELS: Record<string, string> = { toegang: "Toegang", kwaliteit: "Kwaliteit", effect: "Effect" };
export const THEME_ORDER = ["toegang", "kwaliteit", "effect"] as const;

export const DIMENSION_LABELS: Record<string, string> = {
  team: "Team",
  area: "Wijk",
  provision: "Voorziening",
  age_band: "Leeftijd",
  mode: "Manier van invullen",
};

export const OUTCOME_LABELS: Record<string, string> = {
  opgelost: "Opgelost",
  doorverwezen: "Doorverwezen",
  signaal: "Signaal aan de gemeente",
  geen_actie: "Geen actie nodig",
  wil_niet: "Cliënt wil niet",
  niet_bereikt: "Niet bereikt",
  open: "Nog niet afgerond",
};
export const OUTCOME_ORDER = ["opgelost", "doorverwezen", "signaal", "geen_actie", "wil_niet", "niet_bereikt", "open"];

export const SKIP_REASON_LABELS: Record<string, string> = {
  fatigue: "kort geleden al uitgenodigd",
  opted_out: "wil geen uitnodigingen meer",
  unreachable: "niet bereikbaar (geen e-mail, mobiel of adres)",
  too_old: "gesprek te lang geleden",
};

export const UNKNOWN_GROUP = "Onbekend";

export const FORMAT_LABELS: Record<string, string> = {
  html: "Webpagina (HTML)",
  pdf: "PDF",
  xlsx: "Excel (XLSX)",
  csv: "CSV",
  json: "JSON",
};

export const STATUS_TEXT = {
  provisional: "Voorlopig: deze periode is nog niet voorbij.",
  open: "Deze periode is voorbij maar nog niet afgesloten; de cijfers kunnen nog veranderen.",
  closed: "Afgesloten: dit rapport verandert niet meer.",
} as const;

/** Dutch number formatting: 1.234 and 70,5. */
export function formatCount(value: number): string {
  return value.toLocaleString("nl-NL");
}

export function formatDecimal(value: number, decimals = 1): string {
  return value.toLocaleString("nl-NL", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatPct(value: number): string {
  return `${formatDecimal(value)}%`;
}

export function formatChange(value: number): string {
  const sign = value > 0 ? "+" : value < 0 ? "-" : "±";
  return `${sign}${formatDecimal(Math.abs(value))}`;
}
