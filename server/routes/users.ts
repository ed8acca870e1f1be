import { Hono } from 'hono';
import { NewUserBody } from '../../model/http';
import { assertRole, type AuthEnv } from '../auth/middleware';
import { createUser, listUsers } from '../auth/users';
import type { Services } from '../context';
import { readBody } from '../validate';

export function usersRoutes({ db }: Services) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      assertRole(c.get('user'), 'admin');
      return c.json(listUsers(db));
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const created = await createUser(db, await readBody(c, NewUserBody));
      return c.json(created, 201);
    });
}
