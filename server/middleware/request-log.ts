// Request ids and request logs. A log line has the id, method, a cleaned path, status and duration; never
// headers, bodies or query strings, which can hold personal data.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import { sanitizePath, type Logger } from "../logger.ts";

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;
const QUIET_PATHS = /^\/(healthz|assets\/|favicon\.ico)/;

export function requestLog(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers["x-request-id"];
      const id = typeof incoming === "string" && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: sanitizePath(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customLogLevel(req, res, err) {
      if (err || res.statusCode >= 500) return "error";
      if (QUIET_PATHS.test(req.url ?? "")) return "debug";
      return "info";
    },
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request failed",
    // The error handler logs unexpected errors itself, with the request id.
    customAttributeKeys: { err: "err" },
    quietReqLogger: true,
    wrapSerializers: false,
  });
}
