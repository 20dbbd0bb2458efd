import { expect, test } from 'vitest';
import { parseDeliveryLine, type ParsedDelivery } from './delivery-line.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function parse(text: string): ParsedDelivery | undefined {
  const into = { sender: -1, seq: -1 };
  return parseDeliveryLine(bytes(text), into) ? into : undefined;
}

test('reads sender and seq from a delivery, whatever the nickname', () => {
  expect(parse('<c3> 3.17')).toEqual({ sender: 3, seq: 17 });
  expect(parse('<127.0.0.1:50432> 0.0')).toEqual({ sender: 0, seq: 0 });
  expect(parse('<a> b> 12.999999')).toEqual({ sender: 12, seq: 999_999 });
});

test('refuses anything else', () => {
  for (const text of [
    '',
    '+OK You are now in chat room #1',
    '-ERR Server busy',
    '<c3> 3.',
    '<c3> .5',
    '<c3>3.5',
    'c3> 3.5',
    '<c3> x3.5',
    '<c3> 3.5 ',
    '<c3> 1234567890.1',
  ]) {
    expect(parse(text), text).toBeUndefined();
  }
});
