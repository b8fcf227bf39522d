// The print file of a letter batch: one A4 letter per client (the address in the window of a standard
// window envelope, a plain-Dutch explanation, the /code address, the personal code, a QR code to the
// questionnaire) and, when the municipality chose it, the printable questionnaire behind it.
import { createRequire } from "node:module";
import type PDFKitModule from "pdfkit";
import type QRCodeModule from "qrcode";
import type SVGtoPDFModule from "svg-to-pdfkit";
import { formatPaperCode } from "../invitations/codes.ts";
import type { MessageKind, MessageLocale } from "../invitations/messages.ts";

// Loaded when the first letter batch is made, not at start-up: most processes never draw a PDF.
const requireLazily = createRequire(import.meta.url);
const pdfkit = () => requireLazily("pdfkit") as typeof PDFKitModule;
const qrcode = () => requireLazily("qrcode") as typeof QRCodeModule;
const svgToPdf = () => requireLazily("svg-to-pdfkit") as typeof SVGtoPDFModule;

const MM = 72 / 25.4;
const LEFT = 22 * MM;
const WIDTH = 210 * MM - 2 * LEFT;

export type LetterMunicipality = { name: string; phone: string | null; contactEmail: string | null; logo: string | undefined };

export type LetterContent = {
  kind: MessageKind;
  audience: string;
  locale: MessageLocale;
  addressLines: string[];
  code: string;
  link: string;
  codeUrl: string;
  until: Date;
  /** The questionnaire definition to print after the letter, or undefined. */
  form: unknown;
};

const dates = {
  nl: new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" }),
  en: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" }),
};

function words(letter: LetterContent, m: LetterMunicipality) {
  const young = letter.audience === "jongeren";
  const until = dates[letter.locale].format(letter.until);
  if (letter.locale === "en") {
    return {
      subject: letter.kind === "invite" ? "Your opinion about the help from the municipality" : "Reminder: your opinion about the help from the municipality",
      greeting: young ? "Hello," : "Dear Sir or Madam,",
      intro:
        letter.kind === "invite"
          ? `Some time ago you talked with someone from the municipality of ${m.name} about help or support. We would like to know what you thought of it, so we can make our help better. It takes about 5 minutes. Your answers do not change the help you get.`
          : `Some time ago we asked you to fill in a short questionnaire about your conversation with the municipality of ${m.name}. Perhaps you have not had time yet. We would really like to hear from you.`,
      how: "How to fill in the questionnaire:",
      step1: "Go to this address on your computer, tablet or phone:",
      step2: "Type this code:",
      qr: "Or scan the QR code with the camera of your phone.",
      until: `You can fill it in until ${until}.`,
      paper: letter.form ? "Would you rather answer on paper? Fill in the questionnaire that comes with this letter and send it back to us." : undefined,
      phone: m.phone ? `Would you rather do it by phone, or do you have questions? Call us on ${m.phone}.` : undefined,
      stop: "Do you not want to take part? Then you do not need to do anything.",
      regards: "Kind regards,",
      sender: `Municipality of ${m.name}`,
      formTitle: "Questionnaire",
      formHelp: "Put a cross in one box per question, unless it says otherwise.",
      codeLabel: "Code",
    };
  }
  const u = young ? { je: "je", jouw: "jouw", kun: "Je kunt", wil: "Wil je" } : { je: "u", jouw: "uw", kun: "U kunt", wil: "Wilt u" };
  return {
    subject: letter.kind === "invite" ? "Uw mening over de hulp van de gemeente" : "Herinnering: uw mening over de hulp van de gemeente",
    greeting: young ? "Hoi," : "Beste meneer, mevrouw,",
    intro:
      letter.kind === "invite"
        ? young
          ? `Een tijdje geleden had jij een gesprek met iemand van de gemeente ${m.name} over hulp. We willen graag weten wat jij ervan vond. Zo kunnen we de hulp beter maken. Het invullen duurt ongeveer 5 minuten. Je antwoorden veranderen niets aan de hulp die je krijgt.`
          : `Een tijdje geleden sprak u met een medewerker van de gemeente ${m.name} over hulp of ondersteuning. Wij willen graag weten wat u daarvan vond. Zo kunnen wij onze hulp beter maken. Het invullen duurt ongeveer 5 minuten. Uw antwoorden veranderen niets aan de hulp die u krijgt.`
        : `Een tijdje geleden vroegen wij ${u.je} om een korte vragenlijst in te vullen over ${u.jouw} gesprek met de gemeente ${m.name}. Misschien ${young ? "ben je" : "bent u"} er nog niet aan toegekomen. Wij horen graag ${u.jouw} mening.`,
    how: "Zo vult u de vragenlijst in:".replace("u ", young ? "je " : "u "),
    step1: `Ga op ${u.jouw} computer, tablet of telefoon naar:`,
    step2: "Typ deze code:",
    qr: `Of scan de QR-code met de camera van ${u.jouw} telefoon.`,
    until: `${u.kun} de vragenlijst invullen tot en met ${until}.`,
    paper: letter.form ? `Liever op papier? Vul dan de vragenlijst bij deze brief in en stuur die naar ons terug.` : undefined,
    phone: m.phone ? `Liever telefonisch, of ${young ? "heb je" : "heeft u"} vragen? Bel ons op ${m.phone}.` : undefined,
    stop: `${u.wil} niet meedoen? Dan hoef${young ? " je" : "t u"} niets te doen.`,
    regards: "Met vriendelijke groet,",
    sender: `Gemeente ${m.name}`,
    formTitle: "Vragenlijst",
    formHelp: "Zet bij elke vraag een kruisje in één hokje, tenzij er iets anders staat.",
    codeLabel: "Code",
  };
}

function drawLogo(doc: PDFKit.PDFDocument, m: LetterMunicipality): void {
  const match = m.logo ? /^data:image\/(png|jpeg|svg\+xml);base64,(.+)$/.exec(m.logo) : null;
  try {
    if (match && match[1] === "svg+xml") {
      svgToPdf()(doc, Buffer.from(match[2]!, "base64").toString("utf8"), LEFT, 12 * MM, { width: 50 * MM, height: 18 * MM, preserveAspectRatio: "xMinYMin meet" });
      return;
    }
    if (match) {
      doc.image(Buffer.from(match[2]!, "base64"), LEFT, 12 * MM, { fit: [50 * MM, 18 * MM] });
      return;
    }
  } catch {
    // A logo pdfkit cannot read (WebP, a broken file) leaves the name alone on the letter.
  }
  doc.font("Helvetica-Bold").fontSize(16).fillColor("#154273").text(`Gemeente ${m.name}`, LEFT, 15 * MM, { width: 100 * MM });
}

type Localised = string | { default?: string; en?: string } | undefined;

function textOf(value: Localised, locale: MessageLocale): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return (locale === "en" ? value.en : undefined) ?? value.default ?? "";
}

type Element = {
  type: string;
  name: string;
  title?: Localised;
  html?: Localised;
  visibleIf?: string;
  rateValues?: Array<{ value: unknown; text?: Localised }>;
  rateMin?: number;
  rateMax?: number;
  choices?: Array<string | { value: unknown; text?: Localised }>;
  maxSelectedChoices?: number;
  labelTrue?: Localised;
  labelFalse?: Localised;
};

function ensureRoom(doc: PDFKit.PDFDocument, needed: number): void {
  if (doc.y + needed > 841.89 - 20 * MM) doc.addPage();
}

function box(doc: PDFKit.PDFDocument, label: string): void {
  ensureRoom(doc, 18);
  const y = doc.y;
  doc.rect(LEFT + 6 * MM, y + 1, 10, 10).lineWidth(1).stroke("#1a1a1a");
  doc.font("Helvetica").fontSize(11).fillColor("#1a1a1a").text(label, LEFT + 6 * MM + 16, y, { width: WIDTH - 6 * MM - 16 });
  doc.moveDown(0.25);
}

/** The questionnaire on paper, from the same definition the respondent page uses. */
function drawForm(doc: PDFKit.PDFDocument, definition: unknown, letter: LetterContent, t: ReturnType<typeof words>): void {
  const pages = ((definition as { pages?: Array<{ title?: Localised; elements?: Element[] }> }).pages ?? []);
  doc.addPage();
  doc.font("Helvetica").fontSize(11).fillColor("#1a1a1a").text(`${t.codeLabel}: ${formatPaperCode(letter.code)}`, LEFT, 20 * MM, { width: WIDTH, align: "right" });
  doc.font("Helvetica-Bold").fontSize(16).fillColor("#154273").text(t.formTitle, LEFT, 20 * MM);
  doc.font("Helvetica").fontSize(11).fillColor("#1a1a1a").text(t.formHelp, LEFT);
  doc.moveDown();
  let number = 0;
  for (const page of pages) {
    if (page.title) {
      ensureRoom(doc, 40);
      doc.font("Helvetica-Bold").fontSize(13).fillColor("#154273").text(textOf(page.title, letter.locale), LEFT);
      doc.moveDown(0.4);
    }
    for (const el of page.elements ?? []) {
      if (el.type === "html") continue;
      ensureRoom(doc, 50);
      // The phone field only shows online after "ja" on consent; on paper it is simply the next question.
      const title = textOf(el.title, letter.locale);
      number += 1;
      doc.font("Helvetica-Bold").fontSize(11).fillColor("#1a1a1a").text(`${number}. ${title}`, LEFT, doc.y, { width: WIDTH });
      doc.moveDown(0.3);
      if (el.type === "rating") {
        const values = el.rateValues ?? Array.from({ length: (el.rateMax ?? 10) - (el.rateMin ?? 1) + 1 }, (_, i) => ({ value: (el.rateMin ?? 1) + i, text: String((el.rateMin ?? 1) + i) }));
        for (const v of values) box(doc, textOf(v.text, letter.locale) || String(v.value));
      } else if (el.type === "radiogroup" || el.type === "checkbox" || el.type === "dropdown") {
        for (const c of el.choices ?? []) box(doc, typeof c === "string" ? c : textOf(c.text, letter.locale) || String(c.value));
      } else if (el.type === "boolean") {
        box(doc, textOf(el.labelTrue, letter.locale) || (letter.locale === "en" ? "Yes" : "Ja"));
        box(doc, textOf(el.labelFalse, letter.locale) || (letter.locale === "en" ? "No" : "Nee"));
      } else {
        for (let line = 0; line < (el.type === "comment" ? 4 : 1); line += 1) {
          ensureRoom(doc, 22);
          doc.moveDown(1);
          doc.moveTo(LEFT + 6 * MM, doc.y).lineTo(LEFT + WIDTH, doc.y).lineWidth(0.5).stroke("#777777");
        }
        doc.moveDown(0.5);
      }
      doc.moveDown(0.6);
    }
  }
}

async function drawLetter(doc: PDFKit.PDFDocument, letter: LetterContent, m: LetterMunicipality, today: Date): Promise<void> {
  const t = words(letter, m);
  drawLogo(doc, m);
  doc.font("Helvetica").fontSize(10).fillColor("#1a1a1a").text(dates[letter.locale].format(today), LEFT + 110 * MM, 15 * MM, { width: 56 * MM, align: "right" });
  // The window of a standard Dutch window envelope (EA5/6, window on the left).
  doc.font("Helvetica").fontSize(11).text(letter.addressLines.join("\n"), LEFT, 50 * MM, { width: 85 * MM, height: 35 * MM });
  doc.font("Helvetica-Bold").fontSize(13).fillColor("#154273").text(t.subject, LEFT, 100 * MM, { width: WIDTH });
  doc.moveDown(0.8);
  doc.font("Helvetica").fontSize(12).fillColor("#1a1a1a").text(t.greeting, { width: WIDTH });
  doc.moveDown(0.5);
  doc.text(t.intro, { width: WIDTH, lineGap: 2 });
  doc.moveDown(0.8);
  doc.font("Helvetica-Bold").text(t.how, { width: WIDTH });
  doc.moveDown(0.4);
  const top = doc.y;
  doc.font("Helvetica").text(`1. ${t.step1}`, LEFT, top, { width: 120 * MM });
  doc.font("Helvetica-Bold").fontSize(14).text(letter.codeUrl, LEFT + 5 * MM, doc.y + 2, { width: 115 * MM });
  doc.moveDown(0.4);
  doc.font("Helvetica").fontSize(12).text(`2. ${t.step2}`, LEFT, doc.y, { width: 120 * MM });
  doc.font("Courier-Bold").fontSize(22).text(formatPaperCode(letter.code), LEFT + 5 * MM, doc.y + 2, { width: 115 * MM, characterSpacing: 1 });
  doc.moveDown(0.3);
  doc.font("Helvetica").fontSize(12).text(t.qr, LEFT, doc.y, { width: 120 * MM });
  const qr = await qrcode().toBuffer(letter.link, { type: "png", margin: 1, width: 240, errorCorrectionLevel: "M" });
  doc.image(qr, LEFT + 128 * MM, top, { width: 36 * MM });
  doc.moveDown(0.8);
  doc.text(t.until, LEFT, Math.max(doc.y, top + 40 * MM), { width: WIDTH });
  doc.moveDown(0.5);
  for (const line of [t.paper, t.phone, t.stop]) {
    if (!line) continue;
    doc.text(line, { width: WIDTH, lineGap: 2 });
    doc.moveDown(0.5);
  }
  doc.moveDown(0.5);
  doc.text(t.regards, { width: WIDTH });
  doc.text(t.sender, { width: WIDTH });
  if (letter.form) drawForm(doc, letter.form, letter, t);
}

/** One PDF with every letter of the batch, each starting on a new sheet (odd page) for duplex printing. */
export async function buildLetterPdf(letters: LetterContent[], municipality: LetterMunicipality, today = new Date()): Promise<Buffer> {
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({ size: "A4", margin: 0, autoFirstPage: false, info: { Title: `Brieven gemeente ${municipality.name}`, Author: `Gemeente ${municipality.name}`, Creator: "Luisterpost" } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  let pages = 0;
  doc.on("pageAdded", () => {
    pages += 1;
  });
  for (const letter of letters) {
    // Duplex: a new letter starts on the front of a sheet.
    if (pages % 2 === 1) doc.addPage();
    doc.addPage();
    await drawLetter(doc, letter, municipality, today);
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
