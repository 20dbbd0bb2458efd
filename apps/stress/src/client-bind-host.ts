/**
 * Where a load client binds to reach `serverHost`: loopback servers are reached from 127.0.0.1
 * (nothing listens beyond this machine); others, such as the lab's hosts in their own network
 * namespaces, from whichever local address the route to them picks.
 */
export function clientBindHost(serverHost: string): string {
  return serverHost.startsWith('127.') ? '127.0.0.1' : '0.0.0.0';
}
