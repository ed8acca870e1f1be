/**
 * `GET /api/datasets/:id/sources?q=`: the reading pane's search finds sources by title or by words of
 * their text, ignoring case, and takes the query as text (a `%` or `_` is no wildcard).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../helpers/app';

describe('searching a dataset’s sources', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await buildApp();
    expect((await app.call('/api/datasets', { body: { id: 'search', name: 'Search', template: 'events-statements' } })).status).toBe(201);
    const add = async (key: string, title: string, text: string) => {
      const { status, body } = await app.call('/api/datasets/search/sources', { body: { title, text } });
      expect(status).toBe(201);
      ids[key] = body.id;
    };
    await add('envoys', 'Envoys meet by video link', 'Liu Xiaoming told Jung Pak that dialogue matters.');
    await add('drills', 'Air drills', 'South Korea and the US staged air drills; 100% of the F-35A fighters flew.');
    await add('emoji', 'A post 😀', 'Seoul 😀 says: “we_will talk”.');
  });
  afterAll(() => app.close());

  const search = async (q: string) => {
    const { status, body } = await app.call(`/api/datasets/search/sources?q=${encodeURIComponent(q)}`);
    expect(status).toBe(200);
    return (body as Array<{ id: string; text?: string }>).map((s) => s.id);
  };

  it('finds a source by a word of its title or of its text, ignoring case, and lists it without its text', async () => {
    expect(await search('video LINK')).toEqual([ids.envoys]);
    expect(await search('jung pak')).toEqual([ids.envoys]);
    const { body } = await app.call(`/api/datasets/search/sources?q=xiaoming`);
    expect(body[0]).not.toHaveProperty('text');
  });

  it('takes % and _ as text, not as wildcards, and finds text after an emoji', async () => {
    expect(await search('100%')).toEqual([ids.drills]);
    expect(await search('0%')).toEqual([ids.drills]);
    expect(await search('we_will')).toEqual([ids.emoji]);
    expect(await search('we_w_ll')).toEqual([]);
    expect(await search('😀 says')).toEqual([ids.emoji]);
  });

  it('lists every source in the order they were added for an empty query, and none for a missing word', async () => {
    expect(await search('')).toEqual([ids.envoys, ids.drills, ids.emoji]);
    expect(await search('   ')).toEqual([ids.envoys, ids.drills, ids.emoji]);
    expect(await search('nowhere to be found')).toEqual([]);
  });
});
