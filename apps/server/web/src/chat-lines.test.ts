import { describe, expect, it } from 'vitest';
import { lineKind, nicknameAfterReply, roomAfterReply, splitPost } from './chat-lines.js';

describe('chat lines', () => {
  it('tells replies from posts', () => {
    expect(lineKind('+OK You are now in chat room #3')).toBe('ok');
    expect(lineKind('-ERR Unknown command /x')).toBe('error');
    expect(lineKind('<alice> hi')).toBe('post');
  });

  it('follows the room through the replies', () => {
    expect(roomAfterReply('+OK You are now in chat room #3')).toBe(3);
    expect(roomAfterReply('-ERR You are already in room #4')).toBe(4);
    expect(roomAfterReply('+OK You have left chat room #3')).toBeNull();
    expect(roomAfterReply('-ERR You are not in any chat room')).toBeNull();
    expect(roomAfterReply("+OK Nickname set to 'x'")).toBeUndefined();
  });

  it('reads the nickname a reply confirms', () => {
    expect(nicknameAfterReply("+OK Nickname set to 'al ice'")).toBe('al ice');
    expect(nicknameAfterReply('+OK You are now in chat room #3')).toBeUndefined();
  });

  it('splits a post at the end of its nickname', () => {
    expect(splitPost('<bob> a > b')).toEqual({ nick: 'bob', text: 'a > b' });
    expect(splitPost('-ERR x')).toBeUndefined();
  });
});
