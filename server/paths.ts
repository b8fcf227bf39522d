// Where the code and the package's assets live, whether run from source (tsx) or from dist/ (tsc output).
import { existsSync } from "node:fs";
import path from "node:path";

/** Folder holding server/, jobs/ and migrations/ as they run: the checkout, or dist/ after a build. */
export const codeRoot = path.resolve(import.meta.dirname, "..");

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

/** Folder holding package.json, views/, public/, surveys/ and node_modules/. */
export const packageRoot = findPackageRoot(codeRoot);

export const viewsDir = path.join(packageRoot, "views");
export const publicDir = path.join(packageRoot, "public");
export const migrationsDir = path.join(codeRoot, "migrations");

/** Resolves a file inside an installed package (for serving selected files from node_modules). */
export function packageFile(...segments: string[]): string {
  return path.join(packageRoot, "node_modules", ...segments);
}
