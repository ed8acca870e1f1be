/**
 * The permission matrix (docs/security.md#the-permission-matrix): who may do what, one row per route the app registers and one per
 * socket action. `permission-matrix.test.ts` runs every row for every actor in `ACTORS` (anonymous, a
 * disabled user, global admin/editor/reviewer/viewer, member admin/editor/reviewer/viewer, and a member
 * editor who codes the fixture rounds) on each kind
 * of dataset in `DATASET_KIND` (open to everyone, members-only, archived), and fails when the app
 * registers a route that has no row here, or a row names a route that is gone. Only `NOT_IN_TABLE`
 * (the web client's pages, and routes whose rules are checked where their set-up is) is left out, on purpose.
 *
 * Adding a route is adding one row, keyed `'METHOD /path'` exactly as Hono registers it (`app.routes`):
 *
 *   'POST /api/datasets/:id/flags': { who: dataset('reviewer'), request: async (fx) => ({ body: { sheet: 'events', row: await fx.freshRow(), reason: 'other' } }) },
 *
 * `who` is the rule the expected outcome follows from (docs/security.md#roles):
 *   - `PUBLIC`             anyone, signed in or not: ok.
 *   - `SIGNED_IN`          any user: 401 without a (working) token, a disabled user included; else ok.
 *   - `global('admin')`    by the user's global role: 401, then 403 below the role, else ok.
 *   - `dataset('editor')`  under `/api/datasets/:id`, by the role on that dataset: 401; 404 when the
 *                          dataset does not exist for the actor (members-only and not a member); 403
 *                          below the role (on an archived dataset everyone's role is at most viewer); else ok.
 *   - `MANAGE`             renaming, archiving, restoring, deleting a dataset: its admins (global, or
 *                          member admin), archived or not: 401, 404 as above, else 403 or ok.
 *   - `ROUND`              a double-coding round (docs/double-coding.md), by the fixture round: it
 *                          exists only for its coders and the dataset's admins (archived or not); to
 *                          anyone else 404 as if it did not exist. Then ok.
 *   - `ROUND_ADMIN`        the round's agreement and units: as `ROUND`, then 403 for a coder who is no
 *                          dataset admin (a coder who saw them would no longer code blind).
 *   - `CODER`              submitting the round: as `ROUND`, then 403 for a dataset admin who is no coder
 *                          of it, and for everyone while the dataset is archived (a write).
 * `request(fx)` gives what makes the handler succeed (2xx) for an actor who may call it: the path's
 * params other than `:id` (filled with the dataset under test), a query and a JSON body (or `raw`, a
 * file with its content type, such as a CSV to import). Routes that
 * use something up (delete, resolve, approve, rotate a token) take a fresh target from `fx` each time.
 * `self: true` marks a route that acts on one user (`:userName`, or whoever a sign-in is for): it also
 * runs with `request(fx, self)` on a user like the actor acting on themselves, which any user may do
 * who may sign in (a disabled one gets 401).
 * `check` (optional) asserts more about an `ok` answer, given what the actor should see.
 * Besides each status (and its error code), every case checks that a 404 reads exactly like the answer
 * for a dataset that does not exist (for a `ROUND`-kind row: for a round that does not exist), and that a 403 on a route naming a user reads the same whether that
 * user exists.
 *
 * A socket action row: the same `who`, and what the action does; below the role a write is
 * `read-only` (the socket stays open, the update is never applied). 401 → 4401, 404 → 4404.
 * `copy(role)` is the fixture round's room `DATASET/rounds/ROUND`, which opens a coder's own copy: it
 * exists for the round's coders only (4404 for anyone else, dataset admins included), and by the coder's
 * role on their copy: `editor` while the dataset is active (and they have not submitted), else `viewer`.
 */
import { expect } from 'vitest';
import type { Role } from '../../model/roles';

/** Who may call a route, as a rule; the expected outcome per actor follows from it. */
export type Rule =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'global'; role: Role }
  | { kind: 'dataset'; role: Role }
  | { kind: 'manage' }
  | { kind: 'round'; only?: 'admins' | 'coders' }
  | { kind: 'copy'; role: 'viewer' | 'editor' };

export const PUBLIC: Rule = { kind: 'public' };
export const SIGNED_IN: Rule = { kind: 'signed-in' };
export const global = (role: Role): Rule => ({ kind: 'global', role });
export const dataset = (role: Role): Rule => ({ kind: 'dataset', role });
export const MANAGE: Rule = { kind: 'manage' };
export const ROUND: Rule = { kind: 'round' };
export const ROUND_ADMIN: Rule = { kind: 'round', only: 'admins' };
export const CODER: Rule = { kind: 'round', only: 'coders' };
export const copy = (role: 'viewer' | 'editor'): Rule => ({ kind: 'copy', role });

/** A request for one case: path params (`:id` is filled in), query string, and a JSON body or a file. */
export interface CaseRequest {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** A file sent as the body instead of JSON, with its content type. */
  raw?: { type: string; text: string };
}

/** Targets a row's request may use; the fresh ones are made for one case only. */
export interface Fixture {
  /** The dataset under test (open to everyone, members-only or archived). */
  readonly dataset: string;
  readonly archived: boolean;
  /** A row of its `events` sheet that cases only read. */
  readonly row: string;
  /** A source of the dataset that cases only read. */
  readonly source: string;
  /** A double-coding round of `events` (summary, of `roundRow`) coded by the round coder actor and another member. */
  readonly round: string;
  /** The row of `round`, which only adjudication writes. */
  readonly roundRow: string;
  /** Two releases of the dataset: the first and the next. */
  readonly releases: readonly [string, string];
  /** A unique suffix for names and ids. */
  unique(): string;
  freshDataset(): Promise<string>;
  freshSheet(): Promise<string>;
  /** A new row of `events`, written by nobody in particular (so nobody is its coder). */
  freshRow(): Promise<string>;
  /** An open flag on a fresh row, raised by the setup admin. */
  freshFlag(): Promise<string>;
  freshSource(): Promise<string>;
  /** An open conflict on a fresh row, between two other users. */
  freshConflict(): Promise<string>;
  /** A new user (global viewer) to act on: their name. */
  freshUser(): Promise<string>;
  /** The API token of a new user, to sign in with. */
  freshToken(): Promise<string>;
  /** A new user who is a member (viewer) of the dataset under test: their name. */
  freshMember(): Promise<string>;
  /** A new round like `round`, made by the setup admin, that nobody has submitted. */
  freshRound(): Promise<string>;
}

/** What an `ok` answer may be checked against: the actor's role on the dataset, null when it does not exist for them. */
export interface Seen {
  dataset: string;
  archived: boolean;
  role: Role | null;
  /** The fixture round, and whether it exists for the actor. */
  round: { id: string; seen: boolean };
}

/** A user like the actor (same global role, disabled or not), who is the target of a `self` case. */
export interface Self {
  name: string;
  token: string;
}

export interface RouteRow {
  who: Rule;
  self?: true;
  request?: (fx: Fixture, self?: Self) => CaseRequest | Promise<CaseRequest>;
  check?: (body: any, seen: Seen) => void;
}

/**
 * Routes outside the users' roles: the web client's pages and files (`mountClient`, public by design, and not
 * API), and the Prometheus metrics, which answer only the holder of METRICS_TOKEN whatever a user's role
 * (test/integration/metrics.test.ts).
 */
export const NOT_IN_TABLE = new Set([
  'GET /*',
  'GET /metrics',
  // The rows socket joins each room as `/ws/:room` does, through the same checks (test/integration/rows-socket.test.ts).
  'GET /ws/:dataset/rows',
  // Taking back a merge needs a merge of the same user first: its roles are checked in
  // test/integration/duplicates-undo.test.ts and duplicates-undo-document.test.ts.
  'POST /api/datasets/:id/sheets/:sheetId/duplicates/unmerge',
  // Converting a dataset changes it for good, and only a converted dataset has an earlier document: their roles
  // are checked in test/integration/convert-layout.test.ts.
  'POST /api/datasets/:id/layout',
  'GET /api/datasets/:id/legacy',
]);

const CSV = 'format=csv';

export const ROUTES: Record<string, RouteRow> = {
  'GET /healthz': { who: PUBLIC },
  'GET /api/openapi.json': { who: PUBLIC },

  // Signing in with a (fresh user's) token works whoever asks, but not with a disabled user's; signing out always works.
  'POST /api/session': { who: PUBLIC, self: true, request: async (fx, self) => ({ body: { token: self?.token ?? await fx.freshToken() } }) },
  'DELETE /api/session': { who: PUBLIC },
  'GET /api/me': { who: SIGNED_IN },

  'GET /api/users': { who: global('admin') },
  'POST /api/users': { who: global('admin'), request: (fx) => ({ body: { name: `new-${fx.unique()}`, role: 'viewer' } }) },
  'PATCH /api/users/:userName': { who: global('admin'), request: async (fx) => ({ params: { userName: await fx.freshUser() }, body: { role: 'reviewer' } }) },
  'POST /api/users/:userName/token': { who: global('admin'), self: true, request: async (fx, self) => ({ params: { userName: self?.name ?? await fx.freshUser() } }) },
  'PUT /api/users/:userName/password': {
    who: global('admin'), self: true,
    request: async (fx, self) => ({ params: { userName: self?.name ?? await fx.freshUser() }, body: { password: 'a long enough password' } }),
  },
  'GET /api/users/:userName/sessions': { who: global('admin'), self: true, request: async (fx, self) => ({ params: { userName: self?.name ?? await fx.freshUser() } }) },
  'DELETE /api/users/:userName/sessions/:sessionId?': {
    who: global('admin'), self: true, request: async (fx, self) => ({ params: { userName: self?.name ?? await fx.freshUser() } }),
  },
  'POST /api/users/:userName/link': { who: global('admin'), request: async (fx) => ({ params: { userName: await fx.freshUser() } }) },
  'GET /api/audit': { who: global('admin') },
  'GET /api/places': { who: SIGNED_IN, request: () => ({ query: 'q=Seoul&limit=3' }) },

  'GET /api/datasets': {
    who: SIGNED_IN,
    // Archived datasets are listed with ?archived=1; a members-only dataset only to those it exists for.
    request: (fx) => ({ query: fx.archived ? 'archived=1' : '' }),
    check: (body: Array<{ id: string }>, seen) => expectListed(body.some((d) => d.id === seen.dataset), seen.role !== null),
  },
  'POST /api/datasets': { who: global('admin'), request: (fx) => ({ body: { id: `made-${fx.unique()}`, name: 'Made by the matrix' } }) },

  'GET /api/datasets/:id': { who: dataset('viewer'), check: (body: { role: Role }, seen) => expectRole(body.role, seen.role) },
  // An archived dataset is renamed only after its restore: it is archived again instead.
  'PATCH /api/datasets/:id': { who: MANAGE, request: (fx) => ({ body: fx.archived ? { archived: true } : { name: `Renamed ${fx.unique()}` } }) },
  'DELETE /api/datasets/:id': {
    who: MANAGE,
    request: async (fx) => {
      const id = await fx.freshDataset();
      return { params: { id }, body: { confirm: id } };
    },
  },
  'POST /api/datasets/:id/sheets': { who: dataset('admin'), request: (fx) => ({ body: { name: `Sheet ${fx.unique()}` } }) },
  'PATCH /api/datasets/:id/sheets/:sheetId': { who: dataset('admin'), request: async (fx) => ({ params: { sheetId: await fx.freshSheet() }, body: { name: 'Renamed sheet' } }) },
  'DELETE /api/datasets/:id/sheets/:sheetId': { who: dataset('admin'), request: async (fx) => ({ params: { sheetId: await fx.freshSheet() } }) },
  'GET /api/datasets/:id/export.zip': { who: dataset('viewer'), request: () => ({ query: CSV }) },
  'GET /api/datasets/:id/history': { who: dataset('viewer'), request: (fx) => ({ query: `row=${fx.row}` }) },
  'GET /api/datasets/:id/sheets/:sheetId/export': { who: dataset('viewer'), request: () => ({ params: { sheetId: 'events' }, query: CSV }) },
  'GET /api/datasets/:id/sheets/:sheetId/rows': { who: dataset('viewer'), request: () => ({ params: { sheetId: 'events' }, query: 'limit=5&sort=-event_date' }) },
  'GET /api/datasets/:id/sheets/:sheetId/points': { who: dataset('viewer'), request: () => ({ params: { sheetId: 'events' }, query: 'limit=5' }) },
  'GET /api/datasets/:id/sheets/:sheetId/duplicates': { who: dataset('viewer'), request: () => ({ params: { sheetId: 'events' }, query: 'days=1' }) },
  'POST /api/datasets/:id/sheets/:sheetId/duplicates/merge': {
    who: dataset('editor'), request: async (fx) => ({ params: { sheetId: 'events' }, body: { keep: await fx.freshRow(), merge: [await fx.freshRow()] } }),
  },
  'GET /api/datasets/:id/sheets/:sheetId/row-positions': { who: dataset('viewer'), request: (fx) => ({ params: { sheetId: 'events' }, query: `row=${fx.row}` }) },
  'GET /api/datasets/:id/sheets/:sheetId/duplicates/rows': { who: dataset('viewer'), request: (fx) => ({ params: { sheetId: 'events' }, query: `row=${fx.row}` }) },
  'POST /api/datasets/:id/sheets/:sheetId/duplicates/dismiss': {
    who: dataset('editor'), request: async (fx) => ({ params: { sheetId: 'events' }, body: { rows: [fx.row, await fx.freshRow()] } }),
  },
  'GET /api/datasets/:id/progress': { who: dataset('viewer') },
  'GET /api/datasets/:id/settings': { who: dataset('viewer') },
  'PATCH /api/datasets/:id/settings': { who: dataset('admin'), request: () => ({ body: { fourEyes: true } }) },

  'GET /api/datasets/:id/flags': { who: dataset('viewer') },
  'POST /api/datasets/:id/flags': { who: dataset('reviewer'), request: async (fx) => ({ body: { sheet: 'events', row: await fx.freshRow(), reason: 'other' } }) },
  'POST /api/datasets/:id/flags/:flagId/resolve': { who: dataset('reviewer'), request: async (fx) => ({ params: { flagId: await fx.freshFlag() }, body: {} }) },
  'POST /api/datasets/:id/flags/:flagId/comments': { who: dataset('reviewer'), request: async (fx) => ({ params: { flagId: await fx.freshFlag() }, body: { text: 'Checked.' } }) },
  'GET /api/datasets/:id/rows/:rowId/review': { who: dataset('viewer'), request: (fx) => ({ params: { rowId: fx.row } }) },
  'GET /api/datasets/:id/rows/:rowId/timeline': { who: dataset('viewer'), request: (fx) => ({ params: { rowId: fx.row } }) },
  'POST /api/datasets/:id/rows/:rowId/approve': { who: dataset('reviewer'), request: async (fx) => ({ params: { rowId: await fx.freshRow() } }) },
  'POST /api/datasets/:id/approve': { who: dataset('reviewer'), request: async (fx) => ({ body: { rows: [await fx.freshRow()] } }) },

  'GET /api/datasets/:id/members': { who: dataset('viewer') },
  'PUT /api/datasets/:id/members/:userName': { who: dataset('admin'), request: async (fx) => ({ params: { userName: await fx.freshUser() }, body: { role: 'editor' } }) },
  'DELETE /api/datasets/:id/members/:userName': { who: dataset('admin'), request: async (fx) => ({ params: { userName: await fx.freshMember() } }) },

  'GET /api/datasets/:id/conflicts': { who: dataset('viewer') },
  'POST /api/datasets/:id/conflicts/:conflictId/resolve': { who: dataset('editor'), request: async (fx) => ({ params: { conflictId: await fx.freshConflict() }, body: { value: 'kept' } }) },

  'GET /api/datasets/:id/sources': { who: dataset('viewer') },
  'GET /api/datasets/:id/sources/export': { who: dataset('viewer'), request: () => ({ query: CSV }) },
  'GET /api/datasets/:id/sources/:sourceId': { who: dataset('viewer'), request: (fx) => ({ params: { sourceId: fx.source } }) },
  'GET /api/datasets/:id/sources/:sourceId/anchors': { who: dataset('viewer'), request: (fx) => ({ params: { sourceId: fx.source } }) },
  'POST /api/datasets/:id/sources': { who: dataset('editor'), request: (fx) => ({ body: { title: `Source ${fx.unique()}`, text: 'A text to code from.' } }) },
  'DELETE /api/datasets/:id/sources/:sourceId': { who: dataset('editor'), request: async (fx) => ({ params: { sourceId: await fx.freshSource() } }) },
  'GET /api/datasets/:id/evidence/export': { who: dataset('viewer'), request: () => ({ query: CSV }) },
  'GET /api/datasets/:id/sheets/:sheetId/problems': { who: dataset('viewer'), request: () => ({ params: { sheetId: 'events' } }) },
  // A CSV file of one record: a new row of `events` each time.
  'POST /api/datasets/:id/sheets/:sheetId/import': {
    who: dataset('editor'),
    request: (fx) => ({ params: { sheetId: 'events' }, raw: { type: 'text/csv', text: `summary\r\nImported by the matrix ${fx.unique()}\r\n` } }),
    check: (body: { inserted: number }) => expect(body.inserted, 'the record imported').toBe(1),
  },

  'GET /api/datasets/:id/rounds': {
    who: dataset('viewer'),
    check: (body: Array<{ id: string }>, seen) => expectListed(body.some((r) => r.id === seen.round.id), seen.round.seen),
  },
  'POST /api/datasets/:id/rounds': {
    who: dataset('admin'),
    request: (fx) => ({ body: { sheet: 'events', columns: ['summary'], rows: [fx.roundRow], coders: [...ROUND_CODERS] } }),
  },
  'GET /api/datasets/:id/rounds/:roundId': { who: ROUND, request: (fx) => ({ params: { roundId: fx.round } }) },
  'POST /api/datasets/:id/rounds/:roundId/submit': { who: CODER, request: async (fx) => ({ params: { roundId: await fx.freshRound() } }) },
  'GET /api/datasets/:id/rounds/:roundId/agreement': { who: ROUND_ADMIN, request: (fx) => ({ params: { roundId: fx.round }, query: CSV }) },
  'GET /api/datasets/:id/rounds/:roundId/units': { who: ROUND_ADMIN, request: (fx) => ({ params: { roundId: fx.round } }) },
  // Deciding a unit needs the admin role on the dataset whatever the round (no round is told apart by the refusal).
  'POST /api/datasets/:id/rounds/:roundId/adjudicate': {
    who: dataset('admin'),
    request: (fx) => ({ params: { roundId: fx.round }, body: { row: fx.roundRow, column: 'summary', value: `Decided ${fx.unique()}` } }),
  },

  'GET /api/datasets/:id/codebook': { who: dataset('viewer'), request: () => ({ query: 'format=md' }) },
  'GET /api/datasets/:id/releases': { who: dataset('viewer') },
  'GET /api/datasets/:id/releases/preview': { who: dataset('viewer'), request: () => ({ query: 'rows=approved' }) },
  // With no version, the next minor one.
  'POST /api/datasets/:id/releases': { who: dataset('admin'), request: () => ({ body: { notes: 'Made by the matrix.' } }) },
  'GET /api/datasets/:id/releases/:version/package.zip': { who: dataset('viewer'), request: (fx) => ({ params: { version: fx.releases[0] } }) },
  'GET /api/datasets/:id/releases/:version/CHANGELOG.md': { who: dataset('viewer'), request: (fx) => ({ params: { version: fx.releases[1] } }) },
  'GET /api/datasets/:id/releases/:version/diff': {
    who: dataset('viewer'), request: (fx) => ({ params: { version: fx.releases[1] }, query: `from=${fx.releases[0]}` }),
  },
};

/** The coders of every round the fixtures make: the round coder actor and a member who is no actor. */
export const ROUND_CODERS = ['round-coder', 'second-coder'] as const;

/** The sync endpoint: its rows are the socket actions below. */
export const SOCKET_ROUTE = 'GET /ws/:room{.+}';

/** What a socket may do on `/ws/:dataset` (and on a round's room); below the role, a write is `read-only`. */
export const SOCKET_ACTIONS = {
  /** Connect and receive the document. */
  connect: { who: dataset('viewer') },
  /** Send an update that changes a cell. */
  write: { who: dataset('editor') },
  /** Send presence (awareness): everyone who may read shows up to the others. */
  awareness: { who: dataset('viewer') },
  /** Connect to the fixture round's room, and receive one's own copy. */
  'connect to round': { who: copy('viewer') },
  /** Code a round column in one's own copy. */
  'write to round': { who: copy('editor') },
} as const satisfies Record<string, { who: Rule }>;
export type SocketAction = keyof typeof SOCKET_ACTIONS;

// ---- the actors, and the outcome a rule gives each ----

/** Someone making a request: their global role (null: nobody signed in), their role as a member of the datasets under test. */
export interface Actor {
  global: Role | null;
  member?: Role;
  disabled?: boolean;
  /** A coder of the fixture round (and of every fresh round). */
  coder?: true;
}

/**
 * Everyone the matrix runs as. Members hold a global role that differs from their member role (lower
 * for most, higher for the member viewer), so that the member role is seen to win on both datasets.
 * The round coder is a member editor who codes the fixture rounds; no other actor codes them.
 */
export const ACTORS = {
  'anonymous': { global: null },
  'disabled admin': { global: 'admin', member: 'admin', disabled: true },
  'global admin': { global: 'admin' },
  'global editor': { global: 'editor' },
  'global reviewer': { global: 'reviewer' },
  'global viewer': { global: 'viewer' },
  'member admin': { global: 'viewer', member: 'admin' },
  'member editor': { global: 'viewer', member: 'editor' },
  'member reviewer': { global: 'viewer', member: 'reviewer' },
  'member viewer': { global: 'editor', member: 'viewer' },
  'round coder': { global: 'viewer', member: 'editor', coder: true },
} as const satisfies Record<string, Actor>;
export type ActorName = keyof typeof ACTORS;

/**
 * The datasets every case runs on: open to everyone, members-only, and archived (open to everyone, and
 * read-only for all until an admin restores it).
 */
export const DATASET_KIND = {
  'open': { access: 'everyone', archived: false },
  'members-only': { access: 'members', archived: false },
  'archived': { access: 'everyone', archived: true },
} as const satisfies Record<string, { access: 'everyone' | 'members'; archived: boolean }>;
export type DatasetKind = keyof typeof DATASET_KIND;
export const DATASET_KINDS = Object.keys(DATASET_KIND) as DatasetKind[];

export type Outcome = 'ok' | 401 | 403 | 404;

/** docs/security.md#roles: each role includes the ones before it. Written out here, not imported, so the matrix checks the order too. */
const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, editor: 2, admin: 3 };
const grants = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

/** The actor's own role on a dataset of this kind (docs/security.md#access-per-dataset), archived or not; null: it does not exist for them. */
function ownRole(actor: Actor, kind: DatasetKind): Role | null {
  if (actor.global === null || actor.disabled) return null;
  if (actor.global === 'admin') return 'admin';
  if (actor.member) return actor.member;
  return DATASET_KIND[kind].access === 'everyone' ? actor.global : null;
}

/** The role the actor acts with on a dataset of this kind: at most viewer while it is archived. */
export function roleOnDataset(actor: Actor, kind: DatasetKind): Role | null {
  const role = ownRole(actor, kind);
  return role !== null && DATASET_KIND[kind].archived ? 'viewer' : role;
}

/** The outcome of a route with rule `who` for `actor`; `self`: the route acts on the actor themselves (a `self` row). */
export function outcome(who: Rule, actor: Actor, kind: DatasetKind, { self = false } = {}): Outcome {
  if (who.kind === 'public' && !self) return 'ok';
  if (actor.global === null || actor.disabled) return 401;
  if (self) return 'ok';
  switch (who.kind) {
    case 'public':
    case 'signed-in':
      return 'ok';
    case 'global':
      return grants(actor.global, who.role) ? 'ok' : 403;
    case 'dataset': {
      const role = roleOnDataset(actor, kind);
      if (role === null) return 404;
      return grants(role, who.role) ? 'ok' : 403;
    }
    case 'manage': {
      const role = ownRole(actor, kind);
      if (role === null) return 404;
      return role === 'admin' ? 'ok' : 403;
    }
    case 'round': {
      if (!seesRound(actor, kind)) return 404;
      if (who.only === 'admins') return ownRole(actor, kind) === 'admin' ? 'ok' : 403;
      if (who.only === 'coders') return actor.coder && !DATASET_KIND[kind].archived ? 'ok' : 403;
      return 'ok';
    }
    case 'copy':
      if (!actor.coder || ownRole(actor, kind) === null) return 404;
      return who.role === 'editor' && DATASET_KIND[kind].archived ? 403 : 'ok';
  }
}

/** Whether the fixture round exists for the actor: they may open the dataset, and code the round or manage the dataset. */
export function seesRound(actor: Actor, kind: DatasetKind): boolean {
  const role = ownRole(actor, kind);
  return role !== null && (actor.coder === true || role === 'admin');
}

function expectListed(listed: boolean, exists: boolean): void {
  expect(listed, exists ? 'listed to someone who may open it' : 'not listed to someone it does not exist for').toBe(exists);
}

function expectRole(answered: Role, expected: Role | null): void {
  expect(answered, 'the role the dataset answers').toBe(expected);
}
