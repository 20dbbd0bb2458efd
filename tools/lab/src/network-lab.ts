import { rm } from 'node:fs/promises';
import { ip, listNamespaces } from './ip-command.js';

/** Every lab's namespaces start with this; `chatlab down --all` removes them all. */
export const LAB_PREFIX_ROOT = 'chatlab';
/** The documentation network (RFC 5737, TEST-NET-2): never routed anywhere. */
export const LAB_NETWORK = '198.51.100';
/** Host K (1-based) is at .K; client namespace K at .CLIENT_ADDRESS_BASE + K. */
const CLIENT_ADDRESS_BASE = 100;
/** Interface names are at most 15 characters; the switch-side ends are named after their node. */
const SWITCH = 'sw';
const MAIN_BRIDGE = 'br0';
export const HOSTS_MAX = 50;
export const CLIENT_HOSTS_MAX = 50;

export interface LabNode {
  /** `h1`, `h2`, ... for server hosts, `c1`, ... for client hosts. */
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

/**
 * Hosts on one Ethernet segment, all inside this machine: one network namespace per host, each with
 * a veth whose other end is in a bridge in a namespace of its own (so nothing of the lab is in the
 * root namespace), an address in 198.51.100.0/24, a route for multicast on that link and no other
 * route: no traffic can leave. A partition moves hosts' switch ports to separate bridges.
 */
export class NetworkLab {
  private constructor(
    readonly prefix: string,
    readonly hosts: readonly LabNode[],
    readonly clientHosts: readonly LabNode[],
  ) {}

  /** Where the lab keeps its config file and logs. */
  static directoryOf(prefix: string): string {
    return `/tmp/${prefix}`;
  }

  get directory(): string {
    return NetworkLab.directoryOf(this.prefix);
  }

  get switchNamespace(): string {
    return `${this.prefix}-${SWITCH}`;
  }

  /** The lab's nodes as they would be named, without creating anything. */
  static describe(prefix: string, hostCount: number, clientHostCount: number): NetworkLab {
    const node = (name: string, octet: number): LabNode => ({
      name,
      namespace: `${prefix}-${name}`,
      address: `${LAB_NETWORK}.${octet}`,
    });
    return new NetworkLab(
      prefix,
      Array.from({ length: hostCount }, (_, i) => node(`h${i + 1}`, i + 1)),
      Array.from({ length: clientHostCount }, (_, i) =>
        node(`c${i + 1}`, CLIENT_ADDRESS_BASE + i + 1),
      ),
    );
  }

  /** Creates the lab; on any failure removes what it made and rethrows. */
  static async create(
    prefix: string,
    hostCount: number,
    clientHostCount: number,
  ): Promise<NetworkLab> {
    const lab = NetworkLab.describe(prefix, hostCount, clientHostCount);
    try {
      await lab.#build();
    } catch (error) {
      await removeLab(prefix);
      throw error;
    }
    return lab;
  }

  async #build(): Promise<void> {
    const sw = this.switchNamespace;
    await ip('netns', 'add', sw);
    await this.#addBridge(MAIN_BRIDGE);
    for (const node of [...this.hosts, ...this.clientHosts]) {
      await ip('netns', 'add', node.namespace);
      await ip('-n', node.namespace, 'link', 'set', 'lo', 'up');
      // Both ends are made inside namespaces: the root namespace never holds a lab link.
      await ip(
        '-n',
        sw,
        'link',
        'add',
        node.name,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        node.namespace,
      );
      await ip('-n', sw, 'link', 'set', node.name, 'master', MAIN_BRIDGE, 'up');
      await ip('-n', node.namespace, 'addr', 'add', `${node.address}/24`, 'dev', 'eth0');
      await ip('-n', node.namespace, 'link', 'set', 'eth0', 'up');
      // Multicast has no default route to follow here: send it on the lab's link.
      await ip('-n', node.namespace, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
    }
  }

  /** A bridge that floods multicast (no IGMP snooping: the lab has no querier). */
  async #addBridge(name: string): Promise<void> {
    const sw = this.switchNamespace;
    await ip('-n', sw, 'link', 'add', name, 'type', 'bridge');
    await ip('-n', sw, 'link', 'set', name, 'type', 'bridge', 'mcast_snooping', '0');
    await ip('-n', sw, 'link', 'set', name, 'up');
  }

  /**
   * Splits the segment: each group of node names (e.g. `[['h1', 'h2', 'c1'], ['h3', 'h4', 'h5']]`)
   * gets a bridge of its own; nodes in no group stay on the main bridge with the first group.
   */
  async partition(groups: readonly (readonly string[])[]): Promise<void> {
    for (const [index, group] of groups.entries()) {
      if (index === 0) continue;
      const bridge = `br${index}`;
      await this.#addBridge(bridge);
      for (const name of group)
        await ip('-n', this.switchNamespace, 'link', 'set', name, 'master', bridge);
    }
  }

  /** Puts every node back on the main bridge and removes the partition's bridges. */
  async heal(): Promise<void> {
    const sw = this.switchNamespace;
    for (const node of [...this.hosts, ...this.clientHosts]) {
      await ip('-n', sw, 'link', 'set', node.name, 'master', MAIN_BRIDGE);
    }
    const bridges = await ip('-n', sw, '-o', 'link', 'show', 'type', 'bridge');
    for (const [, name] of bridges.matchAll(/^\d+: (br\d+)[:@]/gm)) {
      if (name !== MAIN_BRIDGE) await ip('-n', sw, 'link', 'del', name!);
    }
  }

  /** The command prefix that runs a program inside node `name`. */
  exec(name: string): string[] {
    const node = [...this.hosts, ...this.clientHosts].find((candidate) => candidate.name === name);
    if (node === undefined) throw new RangeError(`no node ${name} in lab ${this.prefix}`);
    return ['ip', 'netns', 'exec', node.namespace];
  }

  destroy(): Promise<string[]> {
    return removeLab(this.prefix);
  }
}

/**
 * Removes every namespace named `${prefix}-...` (killing the processes inside first; deleting a
 * namespace deletes its links and bridges) and the lab's directory. Returns the namespaces removed.
 */
export async function removeLab(prefix: string): Promise<string[]> {
  const namespaces = (await listNamespaces()).filter((name) => name.startsWith(`${prefix}-`));
  for (const namespace of namespaces) await killProcessesIn(namespace);
  for (const namespace of namespaces) await ip('netns', 'del', namespace);
  await rm(NetworkLab.directoryOf(prefix), { recursive: true, force: true });
  return namespaces;
}

/** Lab prefixes that have namespaces now (`chatlab`, `chatlab1a2b3c`, ...). */
export async function findLabPrefixes(): Promise<string[]> {
  const prefixes = new Set<string>();
  for (const name of await listNamespaces()) {
    const match = /^(chatlab[a-z0-9]*)-/.exec(name);
    if (match !== null) prefixes.add(match[1]!);
  }
  return [...prefixes];
}

const KILL_WAIT_MS_MAX = 5_000;
const KILL_POLL_MS = 50;

/** SIGKILLs every process in the namespace and waits until none is left. */
export async function killProcessesIn(namespace: string): Promise<void> {
  const deadline = Date.now() + KILL_WAIT_MS_MAX;
  for (;;) {
    const pids = (await ip('netns', 'pids', namespace)).split('\n').filter((pid) => pid !== '');
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    if (Date.now() > deadline)
      throw new Error(`processes ${pids.join(', ')} in ${namespace} survive SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, KILL_POLL_MS));
  }
}
