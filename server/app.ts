// createApp() builds the Express app without listening, so tests and every process role share it.
import { readFileSync } from "node:fs";
import path from "node:path";
import compression from "compression";
import cookieParser from "cookie-parser";
import express, { type Express } from "express";
import helmet from "helmet";
import type { JobQueue } from "../jobs/queue.ts";
import type { Config } from "./config.ts";
import { ROLE_LABELS } from "./accounts/accounts.schema.ts";
import { loadStaff } from "./auth/auth.middleware.ts";
import type { Db } from "./db.ts";
import { healthRoutes } from "./health/health.routes.ts";
import { homeRoutes } from "./home/home.routes.ts";
import { apiRoutes } from "./intake/intake.routes.ts";
import type { Logger } from "./logger.ts";
import { errorHandler, notFoundHandler } from "./middleware/error-handler.ts";
import { precompressed } from "./middleware/precompressed.ts";
import { requestLog } from "./middleware/request-log.ts";
import { respondentRoutes } from "./respondent/respondent.routes.ts";
import { unsubscribeRoutes } from "./invitations/unsubscribe.routes.ts";
import { webhookRoutes } from "./invitations/webhooks.routes.ts";
import type { Mailer } from "./mail/mail.service.ts";
import { csrfProtection } from "./middleware/csrf.ts";
import { refuseNulBytes } from "./middleware/nul-bytes.ts";
import { municipalityRoutes } from "./municipalities/municipalities.routes.ts";
import { packageFile, packageRoot, publicDir, viewsDir } from "./paths.ts";
import { createStaffRouter } from "./staff/staff.routes.ts";
import type { SurveyCatalog } from "./surveys/surveys.loader.ts";

export type AppDeps = { config: Config; db: Db; queue: JobQueue; logger: Logger; mailer: Mailer; catalog: SurveyCatalog };

const dateTimeFormat = new Intl.DateTimeFormat("nl-NL", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Amsterdam" });

const packageVersion = (JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;

// Only these files of the NL Design System packages are served, never the package folders themselves.
export const VENDOR_FILES: Record<string, string> = {
  "/assets/nlds/design-tokens.css": packageFile("@utrecht", "design-tokens", "dist", "theme.css"),
  "/assets/nlds/components.css": packageFile("@utrecht", "component-library-css", "dist", "index.css"),
  // SurveyJS, from node_modules only (no CDN). The fontless CSS: the normal one loads fonts from Google.
  "/assets/survey/survey.core.min.js": packageFile("survey-core", "survey.core.min.js"),
  "/assets/survey/dutch.min.js": packageFile("survey-core", "i18n", "dutch.min.js"),
  "/assets/survey/contrast-light.min.js": packageFile("survey-core", "themes", "contrast-light.min.js"),
  "/assets/survey/survey-js-ui.min.js": packageFile("survey-js-ui", "survey-js-ui.min.js"),
  "/assets/survey/survey-core.fontless.min.css": packageFile("survey-core", "survey-core.fontless.min.css"),
};

export function createApp({ config, db, queue, logger, mailer, catalog }: AppDeps): Express {
  const app = express();
  app.set("views", viewsDir);
  app.set("view engine", "ejs");
  app.set("query parser", "simple");
  // Compiled templates are kept except in development, where a changed view should show at once.
  if (config.nodeEnv !== "development") app.set("view cache", true);
  app.locals.assetVersion = packageVersion;
  app.locals.appName = "Luisterpost";
  app.locals.roleLabels = ROLE_LABELS;
  app.locals.formatDateTime = (date: Date) => dateTimeFormat.format(date);
  // Without SMTP_URL outside production, messages land in the dev outbox; the staff menu links to it.
  app.locals.devOutbox = !config.isProduction && (!config.smtpUrl || !config.twilio);
  if (config.trustProxy !== false) app.set("trust proxy", config.trustProxy);

  app.use(requestLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: "no-referrer" },
    }),
  );
  app.use(compression());

  for (const [url, file] of Object.entries(VENDOR_FILES)) {
    // Versioned by ?v=<package version> in the pages, so a year-long cache is safe.
    app.get(url, precompressed(file));
  }
  app.use("/assets", express.static(publicDir, { maxAge: "1d", index: false, fallthrough: true }));

  app.use(express.urlencoded({ extended: false, limit: "200kb", parameterLimit: 500 }));
  app.use("/api", express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }));
  app.use(cookieParser(config.sessionSecret));
  app.use(refuseNulBytes);

  app.use((_req, res, next) => {
    res.locals.municipality = undefined;
    res.locals.staff = undefined;
    res.locals.tenant = undefined;
    next();
  });
  app.use(csrfProtection(config));

  app.use(healthRoutes(db, queue));
  app.use(homeRoutes(db));
  app.use(municipalityRoutes(db));
  app.use("/staff", loadStaff(db, config), createStaffRouter({ db, config, mailer, catalog }));
  app.use("/api/v1", apiRoutes({ db, config }));
  app.use(respondentRoutes({ db, config }));
  app.use(unsubscribeRoutes({ db, config }));
  app.use(webhookRoutes({ db, config, logger }));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
