/** The top bar's "who is here": one avatar per person in the document, however many tabs they have open. */
import type { Presence } from '../sync/presence';
import { h, replaceChildren } from '../ui/dom';
import { distinctInitials, initialsTextColor } from './initials';

/** The element, kept up to date as people come and go; returns it with how to stop. */
export function whosHere(presence: Presence): { element: HTMLElement; stop: () => void } {
  const element = h('div', { class: 'whos-here', 'data-testid': 'whos-here', 'aria-label': 'Who is here' });
  const render = () => renderWho(element, presence);
  const stop = presence.onChange(render);
  render();
  return { element, stop };
}

export function renderWho(who: HTMLElement, presence: Presence): void {
  const users = presence.users();
  const people = new Map<string, (typeof users)[number]>();
  for (const u of users) if (!people.has(u.name) || u.self) people.set(u.name, u);
  const initials = distinctInitials([...people.keys()]);
  replaceChildren(who, ...[...people.values()].map((u) => {
    const avatar = h('span', {
      class: `avatar${u.self ? ' self' : ''}`, title: u.self ? `${u.name} (you)` : u.name, 'data-user': u.name,
    }, h('span', { class: 'avatar-initials' }, initials.get(u.name)!), h('span', { class: 'avatar-name' }, u.self ? 'You' : u.name));
    // A colour from another tab is set as one property, never spliced into a style attribute.
    avatar.style.setProperty('--avatar-color', u.color);
    avatar.style.setProperty('--avatar-text', initialsTextColor(u.color));
    return avatar;
  }));
  who.title = [...people.values()].map((u) => (u.self ? `${u.name} (you)` : u.name)).join(', ');
}
