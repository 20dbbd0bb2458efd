import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig, parseProxyConfig } from './proxy-config.js';

describe('parseProxyConfig', () => {
  it('takes forward and bind addresses, skipping blank and comment lines', () => {
    const text = '# cluster\n\n127.0.0.1:5001,127.0.0.1:6001\n  127.0.0.1:5002, 127.0.0.1:6002\n';

    expect(parseProxyConfig(text)).toEqual({
      ok: true,
      servers: [
        { forward: { host: '127.0.0.1', port: 5001 }, bind: { host: '127.0.0.1', port: 6001 } },
        { forward: { host: '127.0.0.1', port: 5002 }, bind: { host: '127.0.0.1', port: 6002 } },
      ],
    });
  });

  it('names the file line of a server without a forward address', () => {
    const text = '127.0.0.1:5001,127.0.0.1:6001\n# comment\n\n127.0.0.1:5002\n';

    expect(parseProxyConfig(text)).toEqual({
      ok: false,
      message: 'line 4: the proxy needs forwardIP:port,bindIP:port',
    });
  });

  it('rejects a forward address equal to the bind address', () => {
    expect(parseProxyConfig('127.0.0.1:5001,127.0.0.1:5001\n')).toEqual({
      ok: false,
      message: 'line 1: the proxy needs a forward address different from the bind address',
    });
  });

  it('passes on the config parser’s errors with their line', () => {
    expect(parseProxyConfig('127.0.0.1:5001,127.0.0.1:6001\nnonsense\n')).toEqual({
      ok: false,
      message: "line 2: 'nonsense' is not IP:port",
    });
  });
});

describe('loadProxyConfig', () => {
  it('reads a file and names it in errors', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'chatproxy-'));
    try {
      const path = join(folder, 'cluster.conf');
      await writeFile(path, '127.0.0.1:5001\n');

      expect(await loadProxyConfig(path)).toEqual({
        ok: false,
        message: `${path} line 1: the proxy needs forwardIP:port,bindIP:port`,
      });
      expect(await loadProxyConfig(join(folder, 'missing.conf'))).toEqual({
        ok: false,
        message: `cannot read config file '${join(folder, 'missing.conf')}': no such file`,
      });
    } finally {
      await rm(folder, { recursive: true });
    }
  });
});
