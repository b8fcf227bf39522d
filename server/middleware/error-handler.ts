// The one error handler: an HTML page for browsers, application/problem+json for the API and for clients
// that ask for JSON. Unexpected errors are logged with the request id and shown without internals.
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { HttpError, notFound, STATUS_TITLES, type FieldProblem } from "../errors.ts";
import type { Logger } from "../logger.ts";

type Classified = { status: number; code: string; message: string; fields: FieldProblem[]; expected: boolean };

// Errors raised by body-parser and express carry a `type` or `status`; they are the client's fault.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  "entity.parse.failed": { status: 400, code: "malformed_body", message: "De inhoud van het verzoek is geen geldige JSON." },
  "entity.too.large": { status: 413, code: "payload_too_large", message: "Wat u stuurt is te groot." },
  "encoding.unsupported": { status: 415, code: "unsupported_encoding", message: "Deze codering wordt niet ondersteund." },
  "charset.unsupported": { status: 415, code: "unsupported_charset", message: "Deze tekenset wordt niet ondersteund." },
  "request.aborted": { status: 400, code: "request_aborted", message: "Het verzoek is afgebroken." },
  "parameters.too.many": { status: 413, code: "too_many_parameters", message: "Het formulier heeft te veel velden." },
};

export function classifyError(err: unknown): Classified {
  if (err instanceof HttpError) {
    return { status: err.status, code: err.code, message: err.message, fields: err.fields, expected: true };
  }
  const e = err as { type?: string; status?: number; statusCode?: number };
  const known = e?.type ? BODY_ERRORS[e.type] : undefined;
  if (known) return { ...known, fields: [], expected: true };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, code: "bad_request", message: STATUS_TITLES[status] ?? "Ongeldig verzoek", fields: [], expected: true };
  }
  if (err instanceof URIError) return { status: 400, code: "bad_request", message: "Het adres is ongeldig.", fields: [], expected: true };
  return {
    status: 500,
    code: "internal_error",
    message: "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
    fields: [],
    expected: false,
  };
}

export function wantsJson(req: Request): boolean {
  if (req.path.startsWith("/api/") || req.path === "/api" || req.path.startsWith("/hooks/")) return true;
  return req.accepts(["html", "json"]) === "json";
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(notFound());
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const problem = classifyError(err);
    const requestId = String(req.id ?? "");
    if (!problem.expected) logger.error({ err, reqId: requestId }, "unexpected error");
    if (res.headersSent) {
      next(err);
      return;
    }
    const title = STATUS_TITLES[problem.status] ?? "Fout";
    res.status(problem.status);
    if (wantsJson(req)) {
      res.type("application/problem+json").send(
        JSON.stringify({
          type: `urn:luisterpost:problem:${problem.code}`,
          title,
          status: problem.status,
          detail: problem.message,
          ...(problem.fields.length > 0 ? { errors: problem.fields } : {}),
          requestId,
        }),
      );
      return;
    }
    const view = problem.status === 404 || problem.status === 500 ? `errors/${problem.status}` : "errors/error";
    res.render(view, { title, status: problem.status, message: problem.message, requestId }, (renderErr, html) => {
      if (renderErr) {
        logger.error({ err: renderErr, reqId: requestId }, "error page failed to render");
        res.type("text/plain").send(`${title}\n\n${problem.message}\n\nFoutcode: ${requestId}\n`);
        return;
      }
      res.type("html").send(html);
    });
  };
}
