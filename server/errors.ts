// One error vocabulary for the whole server. Handlers throw these; the error handler turns them into an
// HTML page for browsers or an application/problem+json body for the API.

export type FieldProblem = { field: string; message: string };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, fields: FieldProblem[] = []) => new HttpError(400, "bad_request", message, fields);
export const unauthorized = (message = "U moet eerst inloggen.") => new HttpError(401, "unauthorized", message);
export const forbidden = (message = "U heeft geen toegang tot deze pagina.") => new HttpError(403, "forbidden", message);
export const notFound = (message = "Deze pagina bestaat niet (meer).") => new HttpError(404, "not_found", message);
export const conflict = (message: string, fields: FieldProblem[] = []) => new HttpError(409, "conflict", message, fields);
export const payloadTooLarge = (message = "Wat u stuurt is te groot.") => new HttpError(413, "payload_too_large", message);
export const unprocessable = (message: string, fields: FieldProblem[] = []) =>
  new HttpError(422, "unprocessable", message, fields);
export const tooManyRequests = (message = "Te veel pogingen. Probeer het over een paar minuten opnieuw.") =>
  new HttpError(429, "too_many_requests", message);

/** Dutch titles for the status codes we answer with. */
export const STATUS_TITLES: Record<number, string> = {
  400: "Ongeldig verzoek",
  401: "Niet ingelogd",
  403: "Geen toegang",
  404: "Niet gevonden",
  405: "Methode niet toegestaan",
  409: "Conflict",
  413: "Te groot",
  415: "Verkeerd formaat",
  422: "Kan niet worden verwerkt",
  429: "Te veel verzoeken",
  500: "Er ging iets mis",
  503: "Tijdelijk niet beschikbaar",
};
