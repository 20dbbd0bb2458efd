import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpawnedProgram } from '@chat/test-support/processes';

const SERVER_SCRIPT = fileURLToPath(new URL('./local-registry-server.mjs', import.meta.url));

/**
 * A private npm registry (Verdaccio) on 127.0.0.1, storing packages in a directory of the caller's.
 * It has no uplinks: it serves only what was published to it, and nothing that reaches it goes on
 * to any other registry. Disposing it stops the server.
 */
export class LocalRegistry implements AsyncDisposable {
  readonly #server: SpawnedProgram;
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;

  private constructor(server: SpawnedProgram, port: number) {
    this.#server = server;
    this.url = `http://127.0.0.1:${port}/`;
  }

  /** Starts a registry that keeps its config, users and packages in `directory`. */
  static async start(directory: string): Promise<LocalRegistry> {
    const configPath = join(directory, 'config.yaml');
    // JSON is YAML: no YAML writer needed.
    const config = {
      storage: join(directory, 'storage'),
      auth: { htpasswd: { file: join(directory, 'htpasswd'), max_users: 1 } },
      uplinks: {},
      packages: { '**': { access: '$all', publish: '$authenticated' } },
      web: { enable: false },
      log: { type: 'stdout', format: 'json', level: 'error' },
    };
    await writeFile(configPath, JSON.stringify(config, null, 2));
    const server = new SpawnedProgram(SERVER_SCRIPT, [configPath]);
    for (let line = await server.nextLine(); ; line = await server.nextLine()) {
      if (line === undefined) {
        await server[Symbol.asyncDispose]();
        throw new Error(`Verdaccio did not start: ${(await server.exited).stderr}`);
      }
      const listening = /^listening (\d+)$/.exec(line);
      if (listening !== null) return new LocalRegistry(server, Number(listening[1]));
    }
  }

  /** Adds a user (the first and only one) and returns an auth token for publishing. */
  async addUser(name: string, password: string): Promise<string> {
    const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, this.url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    const body = (await response.json()) as { token?: unknown };
    if (!response.ok || typeof body.token !== 'string') {
      throw new Error(`adding user ${name}: ${response.status} ${JSON.stringify(body)}`);
    }
    return body.token;
  }

  /** The registry's document for `name` (all versions), or undefined if it has none. */
  async packument(name: string): Promise<Packument | undefined> {
    const response = await fetch(new URL(name.replace('/', '%2f'), this.url));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${name}: ${response.status}`);
    return (await response.json()) as Packument;
  }

  /** The size in bytes of the tarball of `name@version`. */
  async tarballBytes(name: string, version: string): Promise<number> {
    const packument = await this.packument(name);
    const tarball = packument?.versions[version]?.dist.tarball;
    if (tarball === undefined) throw new Error(`${name}@${version} is not published here`);
    const response = await fetch(tarball);
    if (!response.ok) throw new Error(`GET ${tarball}: ${response.status}`);
    return (await response.arrayBuffer()).byteLength;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server[Symbol.asyncDispose]();
  }
}

/** The part of a registry's package document the checks read. */
export interface Packument {
  readonly 'dist-tags': Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, { readonly dist: { readonly tarball: string } }>>;
}
