// Renders an e-mail from views/mail/<name>.text.ejs and <name>.html.ejs.
import path from "node:path";
import ejs from "ejs";
import { viewsDir } from "../paths.ts";

/**
 * `cache`: keep the compiled templates in memory (ejs keys them by file name). Bulk senders (invitations,
 * thousands a minute) use it; a restart picks up changed templates.
 */
export async function renderMail(name: string, data: Record<string, unknown>, { cache = false } = {}): Promise<{ text: string; html: string }> {
  const base = path.join(viewsDir, "mail", name);
  const [text, html] = await Promise.all([
    ejs.renderFile(`${base}.text.ejs`, data, { async: false, cache }),
    ejs.renderFile(`${base}.html.ejs`, data, { async: false, cache }),
  ]);
  return { text, html };
}
