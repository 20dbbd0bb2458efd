/*
 * udp_batch: sends many UDP datagrams with one sendmmsg(2) system call, on a socket node:dgram
 * already owns (by its file descriptor). Node sends each datagram with its own system call and a
 * request object; a server that fans one post out to many clients and peers pays that per copy.
 *
 * sendBatch(fd, datagrams, hosts, ports, count) -> how many of the first `count` were sent, in order.
 *   datagrams: an array of Uint8Array; hosts: Uint32Array of IPv4 addresses in network byte order;
 *   ports: Uint16Array. Stops at the first datagram the kernel refuses (e.g. EAGAIN with a full send
 *   buffer): the caller sends the rest its usual way, which queues and reports errors.
 *
 * Built at install by scripts/build-native.mjs with the system C compiler and Node's headers (N-API,
 * so one build serves every Node version); optional: without it @chat/transport uses node:dgram only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

enum { BATCH_MAX = 1024 };

static struct mmsghdr messages[BATCH_MAX];
static struct iovec iovecs[BATCH_MAX];
static struct sockaddr_in addresses[BATCH_MAX];

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    return fail(env, "sendBatch(fd, datagrams, hosts, ports, count)");
  }
  int32_t fd, count;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[4], &count) != napi_ok || count < 0 || count > BATCH_MAX) {
    return fail(env, "sendBatch: fd and count must be numbers, count at most 1024");
  }
  napi_typedarray_type type;
  size_t hosts_length, ports_length;
  void *hosts_data, *ports_data;
  if (napi_get_typedarray_info(env, argv[2], &type, &hosts_length, &hosts_data, NULL, NULL) !=
          napi_ok ||
      type != napi_uint32_array ||
      napi_get_typedarray_info(env, argv[3], &type, &ports_length, &ports_data, NULL, NULL) !=
          napi_ok ||
      type != napi_uint16_array || hosts_length < (size_t)count || ports_length < (size_t)count) {
    return fail(env, "sendBatch: hosts must be a Uint32Array and ports a Uint16Array of count");
  }
  const uint32_t *hosts = hosts_data;
  const uint16_t *ports = ports_data;
  for (int32_t i = 0; i < count; i++) {
    napi_value item;
    napi_typedarray_type item_type;
    size_t length;
    void *data;
    if (napi_get_element(env, argv[1], (uint32_t)i, &item) != napi_ok ||
        napi_get_typedarray_info(env, item, &item_type, &length, &data, NULL, NULL) != napi_ok ||
        item_type != napi_uint8_array) {
      return fail(env, "sendBatch: every datagram must be a Uint8Array");
    }
    iovecs[i].iov_base = data;
    iovecs[i].iov_len = length;
    addresses[i].sin_family = AF_INET;
    addresses[i].sin_port = htons(ports[i]);
    addresses[i].sin_addr.s_addr = hosts[i];
    memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
    messages[i].msg_hdr.msg_name = &addresses[i];
    messages[i].msg_hdr.msg_namelen = sizeof addresses[i];
    messages[i].msg_hdr.msg_iov = &iovecs[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  int32_t sent = 0;
  while (sent < count) {
    int n = sendmmsg(fd, messages + sent, (unsigned)(count - sent), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    sent += n;
  }
  napi_value result;
  napi_create_int32(env, sent, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value function;
  napi_create_function(env, "sendBatch", NAPI_AUTO_LENGTH, send_batch, NULL, &function);
  napi_set_named_property(env, exports, "sendBatch", function);
  return exports;
}
