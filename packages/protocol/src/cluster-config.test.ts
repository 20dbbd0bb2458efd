import { describe, expect, it } from 'vitest';
import {
  formatSocketAddress,
  parseClusterConfig,
  parseSocketAddress,
  SERVER_COUNT_MAX,
} from './cluster-config.js';

const address = (host: string, port: number) => ({ host, port });

describe('parseClusterConfig', () => {
  it('reads `IP:port` lines as one address used for both forwarding and binding', () => {
    expect(parseClusterConfig('127.0.0.1:5000\n127.0.0.1:5001\n')).toEqual({
      ok: true,
      servers: [
        { forward: address('127.0.0.1', 5000), bind: address('127.0.0.1', 5000) },
        { forward: address('127.0.0.1', 5001), bind: address('127.0.0.1', 5001) },
      ],
    });
  });

  it('reads `forwardIP:port,bindIP:port` lines', () => {
    expect(parseClusterConfig('127.0.0.1:8000,127.0.0.1:5000')).toEqual({
      ok: true,
      servers: [{ forward: address('127.0.0.1', 8000), bind: address('127.0.0.1', 5000) }],
    });
  });

  it('mixes both line forms, and allows spaces around the parts', () => {
    const result = parseClusterConfig('10.0.0.1:5000\n  10.0.0.2:8000 , 10.0.0.2:5000  \n');
    expect(result.ok && result.servers.map((server) => formatSocketAddress(server.bind))).toEqual([
      '10.0.0.1:5000',
      '10.0.0.2:5000',
    ]);
  });

  it('skips blank lines and # comments, and accepts CRLF line ends', () => {
    const text =
      '# cluster\r\n\r\n127.0.0.1:5000\r\n   \r\n  # indented comment\r\n127.0.0.1:5001\r\n';
    const result = parseClusterConfig(text);
    expect(result.ok && result.servers.length).toBe(2);
  });

  it('counts physical lines, comments and blanks included, when naming an error line', () => {
    expect(parseClusterConfig('# one\n\n127.0.0.1:5000\n127.0.0.1\n')).toEqual({
      ok: false,
      line: 4,
      message: "'127.0.0.1' is not IP:port",
    });
  });

  it('names the line of a bad IP address', () => {
    expect(parseClusterConfig('127.0.0.1:5000\n256.1.1.1:5001')).toEqual({
      ok: false,
      line: 2,
      message: "'256.1.1.1' is not an IPv4 address",
    });
    expect(parseClusterConfig('localhost:5000')).toMatchObject({ ok: false, line: 1 });
    expect(parseClusterConfig('1.2.3:5000')).toMatchObject({ ok: false, line: 1 });
  });

  it('names the line of a bad port', () => {
    expect(parseClusterConfig('127.0.0.1:0')).toEqual({
      ok: false,
      line: 1,
      message: 'port 0 is out of range 1-65535',
    });
    expect(parseClusterConfig('\n127.0.0.1:65536')).toEqual({
      ok: false,
      line: 2,
      message: 'port 65536 is out of range 1-65535',
    });
    expect(parseClusterConfig('127.0.0.1:http')).toEqual({
      ok: false,
      line: 1,
      message: "'http' is not a port number",
    });
    expect(parseClusterConfig('127.0.0.1:')).toMatchObject({ ok: false, line: 1 });
  });

  it('names the line of a bad bind address in a two-address line', () => {
    expect(parseClusterConfig('127.0.0.1:8000,127.0.0.1:99999')).toMatchObject({
      ok: false,
      line: 1,
    });
  });

  it('rejects more than two addresses on a line', () => {
    expect(parseClusterConfig('1.1.1.1:1,1.1.1.1:2,1.1.1.1:3')).toEqual({
      ok: false,
      line: 1,
      message: 'expected IP:port or forwardIP:port,bindIP:port',
    });
  });

  it('names both lines of a duplicate address', () => {
    expect(parseClusterConfig('127.0.0.1:5000\n# x\n127.0.0.1:5000')).toEqual({
      ok: false,
      line: 3,
      message: '127.0.0.1:5000 is already used on line 1',
    });
    expect(parseClusterConfig('127.0.0.1:8000,127.0.0.1:5000\n127.0.0.1:5000')).toEqual({
      ok: false,
      line: 2,
      message: '127.0.0.1:5000 is already used on line 1',
    });
  });

  it('allows one line to repeat its own address as forward and bind', () => {
    expect(parseClusterConfig('127.0.0.1:5000,127.0.0.1:5000').ok).toBe(true);
  });

  it('rejects an empty file, or one with only comments, naming its last line', () => {
    expect(parseClusterConfig('')).toEqual({ ok: false, line: 1, message: 'no servers listed' });
    expect(parseClusterConfig('# nothing\n\n# here')).toEqual({
      ok: false,
      line: 3,
      message: 'no servers listed',
    });
  });

  it(`accepts ${SERVER_COUNT_MAX} servers and names the line of one more`, () => {
    const lines = Array.from(
      { length: SERVER_COUNT_MAX + 1 },
      (_, index) => `127.0.0.1:${5001 + index}`,
    );
    const full = parseClusterConfig(lines.slice(0, SERVER_COUNT_MAX).join('\n'));
    expect(full.ok && full.servers.length).toBe(SERVER_COUNT_MAX);
    expect(parseClusterConfig(lines.join('\n'))).toEqual({
      ok: false,
      line: SERVER_COUNT_MAX + 1,
      message: `more than ${SERVER_COUNT_MAX} servers`,
    });
  });
});

describe('parseSocketAddress / formatSocketAddress', () => {
  it('round-trips IP:port', () => {
    const parsed = parseSocketAddress('192.168.1.20:50432');
    expect(parsed).toEqual(address('192.168.1.20', 50432));
    expect(typeof parsed !== 'string' && formatSocketAddress(parsed)).toBe('192.168.1.20:50432');
  });

  it('rejects text without a colon', () => {
    expect(parseSocketAddress('127.0.0.1')).toBe("'127.0.0.1' is not IP:port");
  });
});
