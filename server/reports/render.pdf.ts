// The report as PDF (A4) with pdfkit: the same sections as the HTML report, the same SVG charts drawn with
// svg-to-pdfkit, tables that repeat their header on a new page, and page numbers. The built-in Helvetica keeps
// the file small and needs no font files; its WinAnsi encoding covers Dutch, and pdfText() maps the few
// characters it lacks.
import { createRequire } from "node:module";
import type PDFKitModule from "pdfkit";
import type SVGtoPDFModule from "svg-to-pdfkit";
import { gradeChart, statementChart, trendChart } from "./charts.ts";
import type { Figure, Pct, ReportModel } from "./reports.model.ts";
import { STATUS_TEXT, formatChange, formatCount, formatDecimal, formatPct } from "./reports.labels.ts";

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const CONTENT = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - 20;
const PRIMARY = "#154273";
const INK = "#1a1a1a";
const MUTED = "#4a4a4a";
const LINE = "#c5d3e0";

// Characters outside WinAnsi that the report can contain, mapped to what Helvetica can show.
const REPLACEMENTS: Record<string, string> = { "≥": ">=", "≤": "<=", "−": "-", "\u2011": "-", "\u2009": " ", "\u202f": " " };

/** Text that the standard PDF fonts can show: known replacements, and anything else outside Latin-1 dropped. */
export function pdfText(text: string): string {
  return text.replace(/[^\u0000-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/g, (c) => REPLACEMENTS[c] ?? "");
}

type Doc = PDFKit.PDFDocument;
// pdfkit and svg-to-pdfkit are loaded on the first PDF: a process that never writes one does not carry them.
const requireLazily = createRequire(import.meta.url);
type Column = { title: string; width: number; align?: "left" | "right" };

function ensureRoom(doc: Doc, needed: number): void {
  if (doc.y + needed > BOTTOM) doc.addPage();
}

function heading(doc: Doc, text: string, level: 1 | 2 | 3): void {
  const size = level === 1 ? 16 : level === 2 ? 13 : 11;
  ensureRoom(doc, size * 4);
  doc.moveDown(level === 1 ? 0.8 : 0.6);
  doc.x = MARGIN;
  doc.font("Helvetica-Bold").fontSize(size).fillColor(level === 3 ? INK : PRIMARY).text(pdfText(text), MARGIN, doc.y, { width: CONTENT });
  doc.moveDown(0.3);
  doc.font("Helvetica").fontSize(10).fillColor(INK);
}

function paragraph(doc: Doc, text: string, options: { muted?: boolean; size?: number } = {}): void {
  const size = options.size ?? 10;
  doc.font("Helvetica").fontSize(size);
  ensureRoom(doc, doc.heightOfString(pdfText(text), { width: CONTENT }) + 4);
  doc.fillColor(options.muted ? MUTED : INK).text(pdfText(text), MARGIN, doc.y, { width: CONTENT });
  doc.moveDown(0.4);
  doc.fillColor(INK);
}

function table(doc: Doc, caption: string | null, columns: Column[], rows: string[][], options: { boldLast?: boolean } = {}): void {
  const scale = Math.min(1, CONTENT / columns.reduce((a, c) => a + c.width, 0));
  const widths = columns.map((c) => c.width * scale);
  const padding = 3;
  const size = 8.5;
  const rowHeight = (cells: string[], bold: boolean) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(pdfText(cell), { width: widths[i]! - 2 * padding }))) + 2 * padding;
  };
  const drawRow = (cells: string[], bold: boolean, header: boolean) => {
    const height = rowHeight(cells, bold);
    let x = MARGIN;
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size).fillColor(INK);
    cells.forEach((cell, i) => {
      doc.text(pdfText(cell), x + padding, y + padding, { width: widths[i]! - 2 * padding, align: columns[i]!.align ?? "left", lineBreak: true });
      x += widths[i]!;
    });
    doc
      .moveTo(MARGIN, y + height)
      .lineTo(MARGIN + widths.reduce((a, b) => a + b, 0), y + height)
      .lineWidth(header ? 1.2 : 0.5)
      .strokeColor(header ? PRIMARY : LINE)
      .stroke();
    doc.y = y + height;
    doc.x = MARGIN;
  };
  const header = columns.map((c) => c.title);
  const first = rowHeight(header, true) + (rows[0] ? rowHeight(rows[0], false) : 0) + (caption ? 16 : 0);
  ensureRoom(doc, first);
  if (caption) {
    doc.font("Helvetica-Bold").fontSize(9.5).fillColor(INK).text(pdfText(caption), MARGIN, doc.y, { width: CONTENT });
    doc.moveDown(0.2);
  }
  drawRow(header, true, true);
  rows.forEach((row, i) => {
    const bold = Boolean(options.boldLast) && i === rows.length - 1;
    if (doc.y + rowHeight(row, bold) > BOTTOM) {
      doc.addPage();
      drawRow(header, true, true);
    }
    drawRow(row, bold, false);
  });
  doc.moveDown(0.8);
}

function chart(doc: Doc, svg: string): void {
  const match = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(svg);
  const width = Number(match?.[1] ?? 720);
  const height = Number(match?.[2] ?? 300);
  const scale = CONTENT / width;
  ensureRoom(doc, height * scale + 8);
  // svg-to-pdfkit draws text through pdfkit, which moves the cursor: put it below the chart afterwards.
  const top = doc.y;
  // Without its pixel size the drawing scales to the viewport given here (with it, 720 px would be 540 pt).
  const scalable = svg.replace(/<svg([^>]*?) width="[\d.]+" height="[\d.]+"/, "<svg$1");
  (requireLazily("svg-to-pdfkit") as typeof SVGtoPDFModule)(doc as never, scalable, MARGIN, top, { width: CONTENT, height: height * scale, preserveAspectRatio: "xMinYMin meet" });
  doc.y = top + height * scale + 8;
  doc.x = MARGIN;
}

export async function renderPdf(model: ReportModel): Promise<Buffer> {
  const PDFDocument = requireLazily("pdfkit") as typeof PDFKitModule;
  const generated = new Date(model.generatedAt);
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: pdfText(`Gemeente ${model.municipality.name} – ${model.period.label}`),
      Author: pdfText(`Gemeente ${model.municipality.name}`),
      Subject: "Cliëntervaringsonderzoek sociaal domein",
      Creator: "Luisterpost",
      CreationDate: generated,
      ModDate: generated,
    },
    lang: "nl-NL",
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const fig = (f: Figure) => (f.hidden ? model.hiddenLabels[f.hidden] : formatCount(f.value!));
  const pct = (p: Pct | undefined) => (p === null || p === undefined ? "–" : formatPct(p));
  const dec = (v: number | null) => (v === null ? "–" : formatDecimal(v));

  doc.font("Helvetica").fontSize(10).fillColor(MUTED).text("Cliëntervaringsonderzoek sociaal domein", MARGIN, MARGIN);
  doc.moveDown(0.2);
  doc.font("Helvetica-Bold").fontSize(20).fillColor(PRIMARY).text(pdfText(`Gemeente ${model.municipality.name}`), { width: CONTENT });
  doc.font("Helvetica-Bold").fontSize(15).fillColor(INK).text(pdfText(model.period.label.charAt(0).toUpperCase() + model.period.label.slice(1)), { width: CONTENT });
  doc.moveDown(0.4);
  paragraph(
    doc,
    `Periode ${model.period.firstDay.split("-").reverse().join("-")} tot en met ${model.period.lastDay.split("-").reverse().join("-")}. ${STATUS_TEXT[model.status]} Gemaakt op ${generated.toLocaleString("nl-NL", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Amsterdam" })}.`,
  );
  if (model.filters.length > 0) paragraph(doc, `Uitsnede: ${model.filters.map((f) => `${f.label.toLowerCase()} ${f.value}`).join(", ")}.`);
  for (const note of model.notes) paragraph(doc, note);

  heading(doc, "In het kort", 1);
  const keys = [
    `${fig(model.respondents)} ingevulde vragenlijsten${model.funnel.total.rate !== null ? `; respons ${pct(model.funnel.total.rate)}` : ""}.`,
    ...model.questionnaires.map(
      (q) => `${q.label}: ${fig(q.respondents)} ingevuld${q.themes.map((t) => `; ${t.label.toLowerCase()} ${pct(t.pct)}`).join("")}${q.grade && q.grade.mean !== null ? `; rapportcijfer ${dec(q.grade.mean)}` : ""}.`,
    ),
  ];
  for (const line of keys) paragraph(doc, `•  ${line}`);
  paragraph(doc, `Percentages zijn het deel "(helemaal) mee eens". Een getal onder de ${model.threshold} tonen we niet: "${model.hiddenLabels.small}". "${model.hiddenLabels.complementary}" betekent: verborgen zodat een klein aantal niet terug te rekenen is.`, { muted: true, size: 9 });

  heading(doc, "Uitnodigingen en respons", 1);
  table(
    doc,
    "Uitnodigingen per kanaal in deze periode",
    [
      { title: "Kanaal", width: 90 },
      { title: "Uitgenodigd", width: 62, align: "right" },
      { title: "Afgeleverd", width: 58, align: "right" },
      { title: "Niet afgeleverd", width: 62, align: "right" },
      { title: "Geopend", width: 52, align: "right" },
      { title: "Begonnen", width: 54, align: "right" },
      { title: "Ingevuld", width: 52, align: "right" },
      { title: "Respons", width: 55, align: "right" },
    ],
    [...model.funnel.channels, model.funnel.total].map((l) => [l.label, fig(l.invited), fig(l.delivered), fig(l.bounced), fig(l.opened), fig(l.started), fig(l.completed), pct(l.rate)]),
    { boldLast: true },
  );
  paragraph(
    doc,
    `Gesprekken in deze periode: ${fig(model.population.conversations)}, waarvan ${fig(model.population.invited)} met een uitnodiging${model.population.skipped.length ? `. Geen uitnodiging: ${model.population.skipped.map((s) => `${fig(s.count)} ${s.label}`).join(", ")}` : ""}.`,
  );

  model.questionnaires.forEach((q, qi) => {
    doc.addPage();
    heading(doc, `${q.label}: ${fig(q.respondents)} ingevulde vragenlijsten`, 1);
    heading(doc, "Stellingen", 2);
    chart(doc, statementChart(q, model, `pdf-${qi}-st`));
    table(
      doc,
      `Stellingen ${q.label}, vergeleken met ${model.previousPeriod.label}`,
      [
        { title: "Nr.", width: 22 },
        { title: "Stelling", width: 214 },
        { title: "Eens", width: 40, align: "right" },
        { title: "95%-interval", width: 58, align: "right" },
        { title: "n", width: 34, align: "right" },
        { title: "Weet niet", width: 40, align: "right" },
        { title: "Vorige", width: 40, align: "right" },
        { title: "Verschil", width: 47, align: "right" },
      ],
      q.statements.map((s) => [
        String(s.number),
        `${s.text}${s.kind === "yes_no" ? " (% ja)" : ""}`,
        pct(s.pct),
        s.ci ? `${formatDecimal(s.ci.low)}–${formatDecimal(s.ci.high)}` : "–",
        fig(s.n),
        s.dontKnow ? fig(s.dontKnow) : "",
        pct(s.previous.pct),
        `${s.change === null ? "–" : formatChange(s.change)}${s.significant ? " *" : ""}`,
      ]),
    );
    paragraph(doc, "* Het verschil met de vorige periode is meer dan toeval (toets van twee proporties, 5%-niveau). Verschil in procentpunten.", { muted: true, size: 8.5 });
    if (q.themes.length > 0) {
      table(
        doc,
        "Thema's (gemiddelde van hun stellingen)",
        [
          { title: "Thema", width: 150 },
          { title: "Eens", width: 70, align: "right" },
          { title: "Vorige periode", width: 80, align: "right" },
          { title: "Verschil", width: 70, align: "right" },
        ],
        q.themes.map((t) => [t.label, pct(t.pct), pct(t.previousPct), t.change === null ? "–" : formatChange(t.change)]),
      );
    }
    if (q.grade) {
      const g = q.grade;
      heading(doc, "Rapportcijfer", 2);
      paragraph(
        doc,
        `Gemiddeld rapportcijfer: ${g.mean === null ? "niet getoond" : dec(g.mean)} (n = ${fig(g.n)}${g.sufficientPct !== null ? `; ${pct(g.sufficientPct)} geeft een 6 of hoger` : ""})${g.previous.mean !== null ? `. Vorige periode: ${dec(g.previous.mean)}${g.change !== null ? `, verschil ${formatChange(g.change)}${g.significant ? " (meer dan toeval)" : ""}` : ""}` : ""}.`,
      );
      chart(doc, gradeChart(q, model, `pdf-${qi}-gr`));
    }
    heading(doc, "Ontwikkeling over acht kwartalen", 2);
    if (q.themes.length > 0) chart(doc, trendChart(q, `pdf-${qi}-tr`));
    table(
      doc,
      `Per kwartaal, ${q.label}`,
      [{ title: "Kwartaal", width: 80 }, { title: "Ingevuld", width: 60, align: "right" }, ...q.themes.map((t) => ({ title: t.label, width: 70, align: "right" as const })), ...(q.grade ? [{ title: "Rapportcijfer", width: 70, align: "right" as const }] : [])],
      q.trend.map((p) => [p.label, fig(p.respondents), ...q.themes.map((t) => pct(p.themes[t.theme])), ...(q.grade ? [dec(p.grade)] : [])]),
    );
    if (q.otherQuestions.length > 0) {
      heading(doc, "Overige vragen", 2);
      for (const o of q.otherQuestions) {
        const caption = `${o.title} (n = ${fig(o.n)}${o.kind === "multiple" ? "; meer antwoorden mogelijk" : ""}${o.mean !== null ? `; gemiddeld ${dec(o.mean)}` : ""})`;
        if (o.options.length === 0) paragraph(doc, caption);
        else
          table(
            doc,
            caption,
            [
              { title: "Antwoord", width: 220 },
              { title: "Aantal", width: 70, align: "right" },
              { title: "Percentage", width: 80, align: "right" },
            ],
            o.options.map((x) => [x.label, fig(x.count), pct(x.pct)]),
          );
      }
    }
    heading(doc, "Uitsplitsingen", 2);
    for (const b of q.breakdowns) {
      table(
        doc,
        `${q.label} per ${b.label.toLowerCase()}`,
        [{ title: b.label, width: 170 }, { title: "Ingevuld", width: 60, align: "right" }, ...q.themes.map((t) => ({ title: t.label, width: 65, align: "right" as const })), ...(q.grade ? [{ title: "Rapportcijfer", width: 70, align: "right" as const }] : [])],
        b.rows.map((r) => [r.label, fig(r.respondents), ...q.themes.map((t) => pct(r.themes[t.theme])), ...(q.grade ? [r.grade && r.grade.mean !== null ? dec(r.grade.mean) : "–"] : [])]),
      );
    }
  });

  doc.addPage();
  heading(doc, "Wie deden mee?", 1);
  paragraph(doc, "Wijkt de groep die de vragenlijst invulde af van de groep die werd uitgenodigd? Dan gelden de uitkomsten vooral voor de groep die meedeed.");
  for (const d of model.nonResponse) {
    table(
      doc,
      `Uitgenodigd en ingevuld per ${d.label.toLowerCase()}`,
      [
        { title: d.label, width: 150 },
        { title: "Uitgenodigd", width: 65, align: "right" },
        { title: "Deel", width: 55, align: "right" },
        { title: "Ingevuld", width: 60, align: "right" },
        { title: "Deel", width: 55, align: "right" },
        { title: "Respons", width: 60, align: "right" },
      ],
      d.rows.map((r) => [r.label, fig(r.invited), pct(r.invitedShare), fig(r.completed), pct(r.completedShare), pct(r.rate)]),
    );
  }

  const f = model.followups;
  heading(doc, "Verdiepingsgesprekken", 1);
  table(
    doc,
    "Verdiepingsgesprekken bij de vragenlijsten van deze periode",
    [
      { title: "", width: 260 },
      { title: "Aantal", width: 70, align: "right" },
      { title: "Deel", width: 70, align: "right" },
    ],
    [
      ["Aangemaakt (toestemming en een negatief antwoord)", fig(f.triggered), ""],
      ["Cliënt bereikt", fig(f.reached), pct(f.reachedPct)],
      ["Eerste belpoging op tijd", fig(f.withinSla), pct(f.withinSlaPct)],
      ["Eerste belpoging te laat", fig(f.lateSla), ""],
      ["Nog geen poging, termijn loopt", fig(f.pendingSla), ""],
      ["Nog niet afgerond", fig(f.open), ""],
      ["Dringend gemeld aan de gemeente", fig(f.escalated), ""],
    ],
  );
  if (f.outcomes.some((o) => o.count.value !== 0)) {
    table(
      doc,
      "Uitkomst van de gesprekken",
      [
        { title: "Uitkomst", width: 260 },
        { title: "Aantal", width: 70, align: "right" },
        { title: "Deel", width: 70, align: "right" },
      ],
      f.outcomes.map((o) => [o.label, fig(o.count), pct(o.pct)]),
    );
  }
  if (f.themes.length > 0) {
    table(
      doc,
      "Thema's in de gesprekken (deel van de bereikte cliënten)",
      [
        { title: "Thema", width: 260 },
        { title: "Aantal", width: 70, align: "right" },
        { title: "Deel", width: 70, align: "right" },
      ],
      f.themes.map((t) => [t.label, fig(t.count), pct(t.pct)]),
    );
  }
  if (model.quotes.length > 0) {
    heading(doc, "In de woorden van cliënten", 2);
    for (const quote of model.quotes) paragraph(doc, `“${quote.text}”`);
  } else if (model.quotesHidden) {
    paragraph(doc, `Er zijn uitspraken, maar in een groep van minder dan ${model.threshold} personen tonen we ze niet.`, { muted: true });
  }

  heading(doc, "Zo is gemeten", 1);
  for (const line of model.method) paragraph(doc, line, { size: 9.5 });

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const footer = pdfText(`Gemeente ${model.municipality.name} – ${model.period.label} – pagina ${i + 1} van ${range.count}`);
    // Writing below the bottom margin would make pdfkit start a new page; lift the margin for the footer.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("Helvetica").fontSize(8).fillColor(MUTED).text(footer, MARGIN, PAGE.height - MARGIN + 10, { width: CONTENT, align: "center", lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
  doc.end();
  return done;
}
