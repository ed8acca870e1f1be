/** WebSocket close codes of the sync channel (CONTRACT §2, §4, §1). */
export const CloseCode = {
  /** Server shutting down or restarting; the client should reconnect. */
  Restart: 1012,
  /** A message over MAX_MESSAGE_BYTES. */
  TooLarge: 1009,
  /** A message the server could not decode or apply. */
  BadMessage: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  /** The dataset could not be loaded from storage. */
  LoadFailed: 4500,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Error codes of the HTTP API's JSON envelope, with their status. */
export const ErrorCode = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ErrorCode;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string };
}
