// Renders an e-mail from views/mail/<name>.text.ejs and <name>.html.ejs.
import path from "node:path";
import ejs from "ejs";
import { viewsDir } from "../paths.ts";

export async function renderMail(name: string, data: Record<string, unknown>): Promise<{ text: string; html: string }> {
  const base = path.join(viewsDir, "mail", name);
  const [text, html] = await Promise.all([
    ejs.renderFile(`${base}.text.ejs`, data, { async: false }),
    ejs.renderFile(`${base}.html.ejs`, data, { async: false }),
  ]);
  return { text, html };
}
