import { LocalCluster, loadConfig } from './local-cluster.js';
import { machineBusyCpuMs } from './machine-cpu.js';
import { udpDropsAtPorts } from './udp-drops.js';
import type {
  LoadGenerator,
  OrderingMode,
  ProxySettings,
  ServerProgram,
} from './stress-arguments.js';
import { runNativeWorkload } from './native-workload.js';
import { runWorkload, type WorkloadOptions, type WorkloadResult } from './workload.js';

export interface StressRunOptions {
  readonly program: ServerProgram;
  readonly mode: OrderingMode;
  /** Start servers on free ports or from a config file, or use the running servers of a config. */
  readonly cluster:
    { readonly serverCount: number } | { readonly configPath: string; readonly running: boolean };
  readonly proxy: ProxySettings | undefined;
  /** Started chatservers get a fresh cluster key (see LocalClusterOptions.keyed). */
  readonly keyed: boolean;
  /** More options for started chatservers (see LocalClusterOptions.serverOptions). */
  readonly serverOptions?: readonly string[];
  readonly workload: Omit<WorkloadOptions, 'servers'>;
  /** Default 'node'. */
  readonly generator?: LoadGenerator;
}

export interface StressRunResult extends WorkloadResult {
  /** CPU the started servers used during the run, ms; undefined for running servers or no /proc. */
  readonly serverCpuMs: number | undefined;
  /** CPU every process of the machine used during the run, ms; undefined without /proc. */
  readonly machineCpuMs: number | undefined;
  /** Datagrams the kernel dropped at the servers' sockets during the run (receive buffers full). */
  readonly serverDrops: number | undefined;
  /** The proxy chatstress started between the servers, if any. */
  readonly proxy: ProxySettings | undefined;
}

/** One run: start the cluster (unless it runs already), drive it, stop it. */
export async function runStress(options: StressRunOptions): Promise<StressRunResult> {
  const layout = options.cluster;
  const drive = options.generator === 'native' ? runNativeWorkload : runWorkload;
  if ('running' in layout && layout.running) {
    const servers = loadConfig(layout.configPath).map(({ bind }) => bind);
    const serverPorts = new Set(servers.map(({ port }) => port));
    const machineBeforeMs = machineBusyCpuMs();
    const dropsBefore = udpDropsAtPorts(serverPorts);
    const result = await drive({ ...options.workload, servers });
    return {
      ...result,
      serverCpuMs: undefined,
      machineCpuMs: difference(machineBeforeMs, machineBusyCpuMs()),
      serverDrops: difference(dropsBefore, udpDropsAtPorts(serverPorts)),
      proxy: undefined,
    };
  }
  await using cluster = await LocalCluster.start({
    program: options.program,
    mode: options.mode,
    layout: 'configPath' in layout ? { configPath: layout.configPath } : layout,
    proxy: options.proxy,
    keyed: options.keyed,
    serverOptions: options.serverOptions ?? [],
  });
  const serverBeforeMs = cluster.serverCpuMs();
  const serverPorts = new Set(cluster.servers.map(({ port }) => port));
  const machineBeforeMs = machineBusyCpuMs();
  const dropsBefore = udpDropsAtPorts(serverPorts);
  const result = await drive({ ...options.workload, servers: cluster.servers });
  return {
    ...result,
    serverCpuMs: difference(serverBeforeMs, cluster.serverCpuMs()),
    machineCpuMs: difference(machineBeforeMs, machineBusyCpuMs()),
    serverDrops: difference(dropsBefore, udpDropsAtPorts(serverPorts)),
    proxy: cluster.proxy,
  };
}

function difference(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : after - before;
}
