import type { ReviewStatus } from './document';
import type { ConflictRecord } from './conflicts';
import type { FlagRecord } from './reviews';

/** WebSocket close codes of the sync channel (docs/sync.md#close-codes). */
export const CloseCode = {
  /** Server shutting down or restarting; the client should reconnect. */
  Restart: 1012,
  /** A message over MAX_MESSAGE_BYTES. */
  TooLarge: 1009,
  /** The server will not queue more for this socket now (it is not reading, or asks too often); reconnect later. */
  TryAgainLater: 1013,
  /** A message the server could not decode or apply. */
  BadMessage: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  /**
   * The dataset was converted to the `rows` layout (or is being converted): a client of its whole document
   * reloads, and its changes not yet stored are sent from its offline copy into the rows' own documents.
   */
  Converted: 4409,
  /** The socket could not be opened: the database did not answer, or the dataset failed to load. Not for good: the client reconnects. */
  LoadFailed: 4500,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close reasons that tell refusals with the same code apart, so the user is told the true cause: a
 * page opened at an address the server does not accept is not a user whose access was taken away.
 */
export const CloseReason = {
  /** With 4403: the page's `Origin` is neither the server's own (its `Host`) nor in ALLOWED_ORIGINS. */
  OriginNotAllowed: 'Origin not allowed',
  /** With 4403: the user may no longer open the dataset. */
  NoAccess: 'No access to this dataset',
} as const;

/**
 * Sync-channel messages of our own, beyond the y-websocket protocol. The server sends them only to
 * clients that connect with `acks=1`, so a stock client never sees them.
 */
export const StoreMessage = {
  /** Followed by the document's state vector as stored: everything it covers survives a crash. */
  Stored: 100,
  /** The server cannot store changes right now; it keeps them in memory and retries. */
  StoreFailing: 101,
  /** Followed by the user's role on the dataset, after it changed (a viewer's grid turns read-only). */
  Role: 102,
  /**
   * On a dataset's own room, in the `rows` layout: followed by a JSON array of `RowDelta`s, rows whose
   * documents changed (applied, not yet stored), so a grid showing pages of rows keeps them current.
   */
  RowsChanged: 103,
} as const;

/**
 * A row of a dataset in the `rows` layout as it now is; `cells: null` once it was deleted. `review`: the
 * row's review status and every flag with its thread, sent when the review changed. `conflicts`: every
 * conflict its document holds (open and resolved, oldest first), sent when they changed.
 */
export interface RowDelta {
  sheet: string;
  row: string;
  cells: Record<string, unknown> | null;
  review?: { status: ReviewStatus; flags: FlagRecord[] };
  conflicts?: ConflictRecord[];
}

/** Error codes of the HTTP API's JSON envelope, with their status. */
export const ErrorCode = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  /** A body of a type the route does not read (an import that is neither CSV nor XLSX). */
  unsupported_type: 415,
  /** Well-formed, but holding values that cannot be stored (an import's rejected records). */
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  /** The database cannot be reached: try again after `Retry-After` seconds, or another instance. */
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ErrorCode;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string };
}
