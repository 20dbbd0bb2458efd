import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';

describe('ByteReader', () => {
  it('reads bytes, varints and byte runs in order', () => {
    const reader = new ByteReader(Uint8Array.from([0x07, 0xac, 0x02, 0x61, 0x62]));
    expect(reader.byte('kind')).toBe(7);
    expect(reader.varint('seq')).toBe(300);
    expect([...reader.bytes(2, 'payload')]).toEqual([0x61, 0x62]);
    expect(reader.atEnd).toBe(true);
    expect(reader.problem).toBeUndefined();
  });

  it('keeps the first problem and reads zeros after it', () => {
    const reader = new ByteReader(Uint8Array.from([0x80, 0x00, 0x05]));
    expect(reader.varint('seq')).toBe(0);
    expect(reader.problem).toBe('overlong varint for seq');
    expect(reader.byte('kind')).toBe(0);
    expect(reader.varint('room')).toBe(0);
    expect(reader.bytes(1, 'payload').length).toBe(0);
    expect(reader.problem).toBe('overlong varint for seq');
  });

  it('names what was truncated or too large', () => {
    expect(failureOf((reader) => reader.byte('kind'), [])).toBe('truncated kind');
    expect(failureOf((reader) => reader.varint('room'), [0x80])).toBe('truncated room');
    expect(failureOf((reader) => reader.bytes(3, 'payload'), [0x01, 0x02])).toBe(
      'truncated payload',
    );
    const twoToThe53 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    expect(failureOf((reader) => reader.varint('seq'), twoToThe53)).toBe('seq exceeds 2^53-1');
  });

  it('returns byte runs as views of its input', () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    const run = new ByteReader(bytes).bytes(2, 'payload');
    expect(run.buffer).toBe(bytes.buffer);
  });
});

function failureOf(read: (reader: ByteReader) => unknown, bytes: number[]): string | undefined {
  const reader = new ByteReader(Uint8Array.from(bytes));
  read(reader);
  return reader.problem;
}
