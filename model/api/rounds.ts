/** Double-coding rounds, agreement and adjudication (docs/double-coding.md). */
import { z } from 'zod';
import { AdjudicateBody, Adjudication, Agreement, NewRoundBody, Round, RoundList, RoundSubmitted, RoundUnits } from '../http';
import { routes } from './route';

export const roundRoutes = routes({
  'GET /api/datasets/{id}/rounds': {
    summary: 'Double-coding rounds, newest first: every round for a dataset admin, those they code for anyone else',
    who: 'dataset viewer',
    responses: { 200: RoundList },
  },
  'POST /api/datasets/{id}/rounds': {
    summary: 'Starts a round on rows (or a sample), columns and coders',
    who: 'dataset admin',
    body: NewRoundBody,
    responses: { 201: Round },
  },
  'GET /api/datasets/{id}/rounds/{roundId}': {
    summary: 'The round with each coder\'s progress',
    who: 'dataset admin, or a coder of the round',
    responses: { 200: Round },
  },
  'POST /api/datasets/{id}/rounds/{roundId}/submit': {
    summary: 'Hands in the coder\'s copy: read-only from then on; 409 the second time',
    who: 'a coder of the round',
    responses: { 200: RoundSubmitted },
  },
  'GET /api/datasets/{id}/rounds/{roundId}/agreement': {
    summary: 'Krippendorff\'s alpha and percent agreement per column and pair of coders; `format=csv` the report',
    who: 'dataset admin',
    query: z.object({ format: z.enum(['json', 'csv']).optional() }),
    responses: { 200: Agreement },
    formats: ['text/csv'],
  },
  'GET /api/datasets/{id}/rounds/{roundId}/units': {
    summary: 'Each row × column with every coder\'s value, most disagreement first',
    who: 'dataset admin',
    query: z.object({ column: z.string().optional(), open: z.enum(['0', '1']).optional() }),
    responses: { 200: RoundUnits },
  },
  'POST /api/datasets/{id}/rounds/{roundId}/adjudicate': {
    summary: 'Writes the decided value into the dataset\'s cell; the history keeps every coder\'s value',
    who: 'dataset admin',
    body: AdjudicateBody,
    responses: { 200: Adjudication },
  },
});
