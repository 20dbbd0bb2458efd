import type { MembershipView } from './web-api.js';

/**
 * The server's membership view, when it has a membership layer (`ChatServer.view()`); undefined
 * before there is one. Read by name so the web front end works with and without it.
 */
export function viewOf(server: object): MembershipView | undefined {
  const view: unknown = Reflect.get(server, 'view');
  if (typeof view !== 'function') return undefined;
  return view.call(server) as MembershipView;
}
