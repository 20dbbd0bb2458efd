import { describe, expect, it } from 'vitest';
import { COURSE_PROXY_BYTES_MAX, copyLikeCourseProxy } from './course-proxy-copy.js';

describe('copyLikeCourseProxy', () => {
  it('keeps a datagram of at most 999 bytes without NUL whole', () => {
    const data = new Uint8Array(COURSE_PROXY_BYTES_MAX).fill(7);
    expect(copyLikeCourseProxy(data)).toEqual(data);
  });

  it('cuts a longer datagram to 999 bytes', () => {
    expect(copyLikeCourseProxy(new Uint8Array(1500).fill(7))).toHaveLength(COURSE_PROXY_BYTES_MAX);
  });

  it('stops at the first NUL byte', () => {
    expect(copyLikeCourseProxy(Uint8Array.of(1, 2, 0, 3, 0))).toEqual(Uint8Array.of(1, 2));
    expect(copyLikeCourseProxy(Uint8Array.of(0, 1))).toEqual(new Uint8Array(0));
  });
});
