/**
 * How far the paged grid's operations on rows not read yet go. Each row is a room of its own: a paste or a
 * clear opens every row it writes (a few dozen at a time) and keeps the cells it changed for undo, so those
 * are bounded by rows; a copy only reads pages from the server, so it may go much further.
 */

/** Rows a paste may cover past the pages read, and rows Delete or a cut of the whole sheet empties at most. */
export const WRITE_ROWS_MAX = 1000;
/** Rows a copy of the whole sheet reads at most; past it the copy holds its first rows and says so. */
export const COPY_ROWS_MAX = 100_000;
/** Rows one read of the rows route returns at most (the route's largest page). */
export const ROWS_PAGE_MAX = 1000;
