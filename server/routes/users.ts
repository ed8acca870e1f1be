import { Hono } from 'hono';
import { NewUserBody } from '../../model/http';
import { assertRole, type AuthEnv } from '../auth/middleware';
import { createUser } from '../auth/users';
import type { Services } from '../context';
import { readBody } from '../validate';

export function usersRoutes({ storage: { users } }: Services) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      assertRole(c.get('user'), 'admin');
      return c.json(users.list());
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const created = await createUser(users, await readBody(c, NewUserBody));
      return c.json(created, 201);
    });
}
