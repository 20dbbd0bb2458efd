import { describe, expect, it } from 'vitest';
import { ipv4NumberOfText, ipv4Text } from './udp-batch-addon.js';

describe('IPv4 addresses as the addon takes them', () => {
  it.each([
    ['127.0.0.1', 0x0100007f],
    ['10.20.30.40', 0x281e140a],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['192.168.1.200', 0xc801a8c0],
  ])('%s is the little-endian word of its bytes in order', (text, number) => {
    expect(ipv4NumberOfText(text)).toBe(number);
    expect(ipv4Text(number)).toBe(text);
  });
});
