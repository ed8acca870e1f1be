/** What the server lets a peer's presence (awareness state) say about who it is. */

/** A presence state larger than this (its JSON text, in bytes) is dropped, not relayed. */
export const MAX_PRESENCE_STATE_BYTES = 64 * 1024;

/**
 * The presence state `json` as the server relays it: `user.name` and `user.id` are the signed-in
 * user's, whatever the peer claimed. `null` when it is not to be relayed: too large, or not an object.
 * A peer leaving (`null`) stays `null`. Throws on text that is not JSON.
 */
export function stampIdentity(json: string, user: { id: string; name: string }): string | null {
  if (Buffer.byteLength(json) > MAX_PRESENCE_STATE_BYTES) return null;
  const state: unknown = JSON.parse(json);
  if (state === null) return 'null';
  if (typeof state !== 'object' || Array.isArray(state)) return null;
  const claimed = (state as { user?: unknown }).user;
  const userFields = typeof claimed === 'object' && claimed !== null && !Array.isArray(claimed) ? claimed : {};
  return JSON.stringify({ ...state, user: { ...userFields, name: user.name, id: user.id } });
}
