import { Hono } from 'hono';
import { z } from 'zod';
import { ROLES } from '../../model/roles';
import { assertRole, type AuthEnv } from '../auth/middleware';
import { createUser, listUsers } from '../auth/users';
import type { Services } from '../context';
import { readBody } from '../validate';

const NewUser = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  password: z.string().min(8, 'a password needs at least 8 characters').max(200).optional(),
});

export function usersRoutes({ db }: Services) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      assertRole(c.get('user'), 'admin');
      return c.json(listUsers(db));
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const created = await createUser(db, await readBody(c, NewUser));
      return c.json(created, 201);
    });
}
