// The report as HTML: one EJS template (views/reports/report.ejs) with the charts inline, rendered as a fragment
// inside the staff page and as a standalone file (its own styles and print stylesheet, no scripts, nothing
// loaded from elsewhere) for the HTML download.
import { readFileSync } from "node:fs";
import path from "node:path";
import ejs from "ejs";
import { publicDir, viewsDir } from "../paths.ts";
import { gradeChart, statementChart, trendChart, escapeXml } from "./charts.ts";
import type { Figure, Pct, ReportModel } from "./reports.model.ts";
import { STATUS_TEXT, formatChange, formatCount, formatDecimal, formatPct } from "./reports.labels.ts";

const TEMPLATE = path.join(viewsDir, "reports", "report.ejs");
const STANDALONE = path.join(viewsDir, "reports", "standalone.ejs");

let css: string | undefined;
function reportCss(): string {
  css ??= readFileSync(path.join(publicDir, "css", "report.css"), "utf8");
  return css;
}

function helpers(model: ReportModel) {
  const hiddenTitle = { small: `minder dan ${model.threshold}`, complementary: "verborgen, zodat een klein aantal niet terug te rekenen is" };
  return {
    fig: (f: Figure) =>
      f.hidden ? `<span class="lp-hidden-figure" title="${escapeXml(hiddenTitle[f.hidden])}">${escapeXml(model.hiddenLabels[f.hidden])}</span>` : formatCount(f.value!),
    pct: (p: Pct | undefined) => (p === null || p === undefined ? "–" : formatPct(p)),
    dec: (v: number) => formatDecimal(v),
    change: (v: number | null) => (v === null ? "–" : formatChange(v)),
    charts: {
      statements: (q: ReportModel["questionnaires"][number], id: string) => statementChart(q, model, id),
      trend: (q: ReportModel["questionnaires"][number], id: string) => trendChart(q, id),
      grade: (q: ReportModel["questionnaires"][number], id: string) => gradeChart(q, model, id),
    },
    statusText: STATUS_TEXT[model.status],
    generatedText: new Date(model.generatedAt).toLocaleString("nl-NL", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Amsterdam" }),
  };
}

export async function renderFragment(model: ReportModel, base = 2): Promise<string> {
  return ejs.renderFile(TEMPLATE, { model, base, ...helpers(model) }, { async: false });
}

export async function renderStandaloneHtml(model: ReportModel): Promise<string> {
  const fragment = await renderFragment(model, 1);
  return ejs.renderFile(STANDALONE, { model, fragment, css: reportCss() }, { async: false });
}
