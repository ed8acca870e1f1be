/** Users, their tokens, passwords and sessions, and the audit log (admins). */
import { z } from 'zod';
import { AuditLog, NewToken, NewUserBody, NewUserResponse, PasswordBody, SessionList, SignInLink, UserList, UserPatch } from '../http';
import { ROLES } from '../roles';
import { routes } from './route';

/** `PATCH /api/users/{userName}` → the user as they are now. */
export const UserPatched = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), disabled: z.boolean() });
export const PasswordSet = z.object({ name: z.string(), password: z.literal('set') });
export const SessionsEnded = z.object({ ended: z.number().int() });

export const userRoutes = routes({
  'GET /api/users': {
    summary: 'The users',
    who: 'admin',
    responses: { 200: UserList },
  },
  'POST /api/users': {
    summary: 'Creates a user: the token is shown once; `signinUrl` is a sign-in link that works once, for 7 days',
    who: 'admin',
    body: NewUserBody,
    responses: { 201: NewUserResponse },
  },
  'PATCH /api/users/{userName}': {
    summary: 'Changes a user\'s role, or disables (enables) them; open sockets follow at once',
    who: 'admin',
    body: UserPatch,
    responses: { 200: UserPatched },
  },
  'POST /api/users/{userName}/token': {
    summary: 'A new API token: the old one stops working and its sockets close with 4401',
    who: 'admin, or the user',
    responses: { 200: NewToken },
  },
  'PUT /api/users/{userName}/password': {
    summary: 'Sets the password used to sign in (the user sends `old`)',
    who: 'admin, or the user',
    body: PasswordBody,
    responses: { 200: PasswordSet },
  },
  'GET /api/users/{userName}/sessions': {
    summary: 'The user\'s browser sessions; `current` marks the one the request came with',
    who: 'admin, or the user',
    responses: { 200: SessionList },
  },
  'DELETE /api/users/{userName}/sessions': {
    summary: 'Signs out every session of the user; their sockets close with 4401',
    who: 'admin, or the user',
    responses: { 200: SessionsEnded },
  },
  'DELETE /api/users/{userName}/sessions/{sessionId}': {
    summary: 'Signs out one session of the user',
    who: 'admin, or the user',
    responses: { 200: SessionsEnded },
  },
  'POST /api/users/{userName}/link': {
    summary: 'A sign-in link that works once, for 7 days',
    who: 'admin',
    responses: { 201: SignInLink },
  },
  'GET /api/audit': {
    summary: 'Who changed users, members and access, and created, archived, restored or deleted datasets; newest first',
    who: 'admin',
    responses: { 200: AuditLog },
  },
});
