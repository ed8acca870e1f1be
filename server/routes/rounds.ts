/** Double coding: rounds, submitting, agreement and adjudication (docs/double-coding.md). The rules are in `rounds/`. */
import { type Context, Hono } from 'hono';
import { AdjudicateBody, NewRoundBody } from '../../model/http';
import { badRequest, forbidden } from '../errors';
import { agreementCsv } from '../rounds/report';
import type { Rounds } from '../rounds/rounds';
import { readBody } from '../validate';
import { type DatasetEnv, requireActive, requireRole } from './dataset-scope';

export function roundRoutes(rounds: Rounds) {
  return new Hono<DatasetEnv>()
    .get('/rounds', async (c) => c.json(await rounds.list(c.get('dataset'), c.get('user'))))
    .post('/rounds', async (c) => {
      requireRole(c, 'admin');
      const body = await readBody(c, NewRoundBody);
      return c.json(await rounds.create(c.get('dataset'), c.get('user'), body), 201);
    })
    .get('/rounds/:roundId', async (c) => {
      const round = await rounds.get(c.get('dataset'), c.get('user'), c.req.param('roundId'));
      return c.json(await rounds.view(c.get('dataset'), round, c.get('user')));
    })
    .post('/rounds/:roundId/submit', async (c) => {
      const round = await rounds.get(c.get('dataset'), c.get('user'), c.req.param('roundId'));
      // Submitting is a write (any coder's, whatever their role): an archived dataset's rounds wait for its restore.
      requireActive(c);
      return c.json(await rounds.submit(c.get('dataset'), round, c.get('user')));
    })
    .get('/rounds/:roundId/agreement', async (c) => {
      const { dataset, round } = await adminRound(c);
      const agreement = await rounds.agreement(dataset, round);
      const format = c.req.query('format') ?? 'json';
      if (format === 'json') return c.json(agreement);
      if (format !== 'csv') throw badRequest('format is json or csv');
      const view = await rounds.view(dataset, round, c.get('user'));
      return c.body(agreementCsv(view, agreement), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${dataset.id}-round-${round.id}-agreement.csv"`,
      });
    })
    .get('/rounds/:roundId/units', async (c) => {
      const { dataset, round } = await adminRound(c);
      const column = c.req.query('column');
      if (column !== undefined && !round.columns.includes(column)) throw badRequest(`column: "${column}" is not a column of this round`);
      return c.json(await rounds.units(dataset, round, { column, open: c.req.query('open') === '1' }));
    })
    .post('/rounds/:roundId/adjudicate', async (c) => {
      requireRole(c, 'admin');
      const { dataset, round } = await adminRound(c);
      const body = await readBody(c, AdjudicateBody);
      return c.json(await rounds.adjudicate(dataset, round, c.get('user'), body));
    });

  /** Agreement, units and adjudication are the dataset admin's: a coder seeing them would no longer code blind. */
  async function adminRound(c: Context<DatasetEnv>) {
    const round = await rounds.get(c.get('dataset'), c.get('user'), c.req.param('roundId') ?? '');
    if (!await rounds.manages(c.get('dataset'), c.get('user'))) throw forbidden('Only the dataset\'s admins see agreement and adjudicate');
    return { dataset: c.get('dataset'), round };
  }
}
