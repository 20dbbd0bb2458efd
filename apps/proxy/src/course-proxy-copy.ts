/**
 * What the course's own delay proxy does to a datagram: it copies at most 999 bytes and stops at the
 * first NUL byte. With `--course-limits` chatproxy does the same, so a test through it shows that
 * server-to-server datagrams survive the course's proxy.
 */
export const COURSE_PROXY_BYTES_MAX = 999;

/** The part of `data` the course's proxy would relay (a view, no copy). */
export function copyLikeCourseProxy(data: Uint8Array): Uint8Array {
  const nul = data.indexOf(0);
  const end = Math.min(COURSE_PROXY_BYTES_MAX, nul < 0 ? data.length : nul);
  return data.subarray(0, end);
}
