// Charts as SVG, drawn on the server from the suppressed model: the same markup goes inline into the HTML
// report and, through svg-to-pdfkit, into the PDF. Only presentation attributes (no style attributes), so the
// staff pages' Content-Security-Policy allows them. A hidden figure gets no bar and no point, only its label.
import type { QuestionnaireSection, ReportModel } from "./reports.model.ts";
import { THEME_LABELS, formatDecimal } from "./reports.labels.ts";

const FONT = "Helvetica, Arial, sans-serif";
const INK = "#1a1a1a";
const MUTED = "#4a4a4a";
const GRID = "#c5d3e0";
const BAR = "#154273";
const SERIES = [
  { colour: "#154273", dash: "", marker: "circle" },
  { colour: "#a63c06", dash: "6 4", marker: "square" },
  { colour: "#2e6b30", dash: "2 3", marker: "triangle" },
] as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function svg(width: number, height: number, id: string, title: string, description: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${FONT}" class="lp-chart">`,
    `<title id="${id}-title">${escapeXml(title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(description)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

/** Horizontal bars per statement: % (helemaal) mee eens with its 95 % interval; hidden rows show only their label. */
export function statementChart(section: QuestionnaireSection, model: Pick<ReportModel, "hiddenLabels">, id: string): string {
  const width = 720;
  const left = 36;
  const plot = 560;
  const rowHeight = 46;
  const top = 28;
  const height = top + section.statements.length * rowHeight + 24;
  const x = (pct: number) => left + (pct / 100) * plot;
  const body: string[] = [];
  for (const tick of [0, 25, 50, 75, 100]) {
    body.push(`<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 22}" stroke="${GRID}" stroke-width="1"/>`);
    body.push(`<text x="${x(tick)}" y="${top - 10}" font-size="11" fill="${MUTED}" text-anchor="middle">${tick}%</text>`);
  }
  section.statements.forEach((s, i) => {
    const y = top + i * rowHeight;
    body.push(`<text x="4" y="${y + 14}" font-size="12" font-weight="bold" fill="${INK}">${s.number}.</text>`);
    body.push(`<text x="${left}" y="${y + 14}" font-size="12" fill="${INK}">${escapeXml(truncate(s.text, 95))}</text>`);
    const barY = y + 20;
    if (s.pct === null) {
      const label = s.n.hidden ? `${model.hiddenLabels[s.n.hidden]} antwoorden: niet getoond` : "geen antwoorden";
      body.push(`<text x="${left}" y="${barY + 13}" font-size="12" fill="${MUTED}">${escapeXml(label)}</text>`);
      return;
    }
    body.push(`<rect x="${left}" y="${barY}" width="${((s.pct / 100) * plot).toFixed(1)}" height="16" fill="${BAR}"/>`);
    if (s.ci) {
      const lo = x(s.ci.low);
      const hi = x(s.ci.high);
      body.push(`<line x1="${lo.toFixed(1)}" y1="${barY + 8}" x2="${hi.toFixed(1)}" y2="${barY + 8}" stroke="#000000" stroke-width="1.5"/>`);
      for (const end of [lo, hi]) body.push(`<line x1="${end.toFixed(1)}" y1="${barY + 2}" x2="${end.toFixed(1)}" y2="${barY + 14}" stroke="#000000" stroke-width="1.5"/>`);
    }
    const labelX = x(Math.max(s.pct, s.ci?.high ?? 0)) + 6;
    body.push(`<text x="${labelX.toFixed(1)}" y="${barY + 13}" font-size="12" fill="${INK}">${formatDecimal(s.pct)}% (n = ${s.n.value})</text>`);
  });
  body.push(`<text x="${left}" y="${height - 6}" font-size="11" fill="${MUTED}">Balk: % (helemaal) mee eens (vraag 5: % ja). Lijn: 95%-betrouwbaarheidsinterval.</text>`);
  const shown = section.statements.filter((s) => s.pct !== null);
  const description = shown.length
    ? shown.map((s) => `vraag ${s.number}: ${formatDecimal(s.pct!)}%`).join("; ")
    : "Geen stelling heeft genoeg antwoorden om te tonen.";
  return svg(width, height, id, `Stellingen ${section.label}: percentage (helemaal) mee eens`, description, body);
}

function marker(kind: string, cx: number, cy: number, colour: string): string {
  if (kind === "square") return `<rect x="${(cx - 4).toFixed(1)}" y="${(cy - 4).toFixed(1)}" width="8" height="8" fill="${colour}"/>`;
  if (kind === "triangle") return `<path d="M ${cx.toFixed(1)} ${(cy - 5).toFixed(1)} L ${(cx + 5).toFixed(1)} ${(cy + 4).toFixed(1)} L ${(cx - 5).toFixed(1)} ${(cy + 4).toFixed(1)} Z" fill="${colour}"/>`;
  return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${colour}"/>`;
}

/** The themes over the last eight quarters; a hidden quarter leaves a gap in the line. */
export function trendChart(section: QuestionnaireSection, id: string): string {
  const width = 720;
  const height = 300;
  const left = 48;
  const right = 20;
  const top = 20;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = section.trend.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (pct: number) => top + plotH - (pct / 100) * plotH;
  const body: string[] = [];
  for (const tick of [0, 25, 50, 75, 100]) {
    body.push(`<line x1="${left}" y1="${y(tick)}" x2="${width - right}" y2="${y(tick)}" stroke="${GRID}" stroke-width="1"/>`);
    body.push(`<text x="${left - 6}" y="${y(tick) + 4}" font-size="11" fill="${MUTED}" text-anchor="end">${tick}%</text>`);
  }
  section.trend.forEach((p, i) => body.push(`<text x="${x(i).toFixed(1)}" y="${top + plotH + 16}" font-size="11" fill="${MUTED}" text-anchor="middle">${escapeXml(p.label)}</text>`));
  const themes = section.themes.map((t) => t.theme);
  const described: string[] = [];
  themes.forEach((theme, k) => {
    const style = SERIES[k % SERIES.length]!;
    let path: string[] = [];
    const segments: string[][] = [];
    section.trend.forEach((p, i) => {
      const value = p.themes[theme];
      if (value === null || value === undefined) {
        if (path.length) segments.push(path);
        path = [];
        return;
      }
      path.push(`${path.length === 0 ? "M" : "L"} ${x(i).toFixed(1)} ${y(value).toFixed(1)}`);
    });
    if (path.length) segments.push(path);
    for (const segment of segments) {
      body.push(`<path d="${segment.join(" ")}" fill="none" stroke="${style.colour}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`);
    }
    section.trend.forEach((p, i) => {
      const value = p.themes[theme];
      if (typeof value === "number") body.push(marker(style.marker, x(i), y(value), style.colour));
    });
    const lx = left + k * 170;
    const ly = height - 22;
    body.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${style.colour}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`);
    body.push(marker(style.marker, lx + 14, ly, style.colour));
    body.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="12" fill="${INK}">${escapeXml(THEME_LABELS[theme] ?? theme)}</text>`);
    const points = section.trend.map((p) => (typeof p.themes[theme] === "number" ? `${p.label} ${formatDecimal(p.themes[theme]!)}%` : `${p.label} niet getoond`));
    described.push(`${THEME_LABELS[theme] ?? theme}: ${points.join(", ")}`);
  });
  body.push(`<text x="${left}" y="${height - 4}" font-size="11" fill="${MUTED}">Kwartalen met te weinig antwoorden staan er niet in.</text>`);
  return svg(width, height, id, `Thema's ${section.label} over acht kwartalen: percentage (helemaal) mee eens`, described.join(". ") || "Geen gegevens.", body);
}

/** The report grade's distribution: a bar per grade, hidden counts labelled but not drawn. */
export function gradeChart(section: QuestionnaireSection, model: Pick<ReportModel, "hiddenLabels">, id: string): string {
  const grade = section.grade!;
  const width = 720;
  const height = 240;
  const left = 48;
  const top = 20;
  const plotH = 160;
  const slot = (width - left - 20) / 10;
  const max = Math.max(10, ...grade.distribution.map((d) => d.pct ?? 0));
  const scale = Math.ceil(max / 10) * 10;
  const y = (pct: number) => top + plotH - (pct / scale) * plotH;
  const body: string[] = [];
  for (let tick = 0; tick <= scale; tick += scale / 5) {
    body.push(`<line x1="${left}" y1="${y(tick).toFixed(1)}" x2="${width - 20}" y2="${y(tick).toFixed(1)}" stroke="${GRID}" stroke-width="1"/>`);
    body.push(`<text x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" font-size="11" fill="${MUTED}" text-anchor="end">${tick}%</text>`);
  }
  grade.distribution.forEach((d, i) => {
    const cx = left + slot * i + slot / 2;
    body.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 16}" font-size="12" fill="${INK}" text-anchor="middle">${d.grade}</text>`);
    if (d.pct === null) {
      const label = d.count.hidden ? model.hiddenLabels[d.count.hidden] : "";
      body.push(`<text x="${cx.toFixed(1)}" y="${top + plotH - 6}" font-size="11" fill="${MUTED}" text-anchor="middle">${escapeXml(label)}</text>`);
      return;
    }
    const barTop = y(d.pct);
    body.push(`<rect x="${(cx - slot * 0.35).toFixed(1)}" y="${barTop.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(top + plotH - barTop).toFixed(1)}" fill="${BAR}"/>`);
    body.push(`<text x="${cx.toFixed(1)}" y="${(barTop - 4).toFixed(1)}" font-size="11" fill="${INK}" text-anchor="middle">${formatDecimal(d.pct)}%</text>`);
  });
  body.push(`<text x="${left}" y="${height - 8}" font-size="11" fill="${MUTED}">Rapportcijfer (1 tot en met 10), percentage van wie een cijfer gaf.</text>`);
  const description = grade.distribution.map((d) => `${d.grade}: ${d.pct === null ? "niet getoond" : `${formatDecimal(d.pct)}%`}`).join(", ");
  return svg(width, height, id, `Rapportcijfers ${section.label}${grade.mean !== null ? `, gemiddeld ${formatDecimal(grade.mean)}` : ""}`, description, body);
}
