/**
 * chatproxy's command line, built from settings: the one place the apps that start a proxy (the
 * server tests' cluster, chatstress's local cluster) get it from, so it cannot drift from the
 * parser (`proxy-arguments.ts`, whose tests read it back).
 */
export interface ProxySettings {
  readonly delayMsMax: number;
  /** Chance that a datagram is dropped; default 0. */
  readonly loss?: number;
  /** Chance that a datagram is sent twice; default 0. */
  readonly duplicate?: number;
  readonly seed: number;
  /** Cut datagrams at 999 bytes and at the first NUL, as the course's proxy does. */
  readonly courseLimits?: boolean;
  /** Take `cut` / `heal` commands on a UDP socket at 127.0.0.1 and this port (0: any free one). */
  readonly controlPort?: number;
}

/** The arguments after the program: options, then the config file. */
export function proxyCommandLine(settings: ProxySettings, configPath: string): string[] {
  const { delayMsMax, loss = 0, duplicate = 0, seed, courseLimits, controlPort } = settings;
  return [
    '--delay-ms-max',
    String(delayMsMax),
    '--loss',
    String(loss),
    '--duplicate',
    String(duplicate),
    '--seed',
    String(seed),
    ...(courseLimits === true ? ['--course-limits'] : []),
    ...(controlPort === undefined ? [] : ['--control-port', String(controlPort)]),
    configPath,
  ];
}
