/** A dataset's members and their roles. */
import { z } from 'zod';
import { MemberBody, MemberList } from '../http';
import { ROLES } from '../roles';
import { routes } from './route';

export const MemberSet = z.object({ name: z.string(), role: z.enum(ROLES) });
export const MemberRemoved = z.object({ name: z.string(), removed: z.literal(true) });

export const memberRoutes = routes({
  'GET /api/datasets/{id}/members': {
    summary: 'The dataset\'s members',
    who: 'dataset viewer',
    responses: { 200: MemberList },
  },
  'PUT /api/datasets/{id}/members/{userName}': {
    summary: 'Adds the member or changes their role',
    who: 'dataset admin',
    body: MemberBody,
    responses: { 200: MemberSet },
  },
  'DELETE /api/datasets/{id}/members/{userName}': {
    summary: 'Removes the member; their sockets close with 4403 if they may no longer read',
    who: 'dataset admin',
    responses: { 200: MemberRemoved },
  },
});
