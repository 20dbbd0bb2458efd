/*
 * udp_batch: batched system calls on a UDP socket node:dgram already owns (by its file descriptor).
 * Node sends and receives each datagram with its own system call; it also allocates 64 KiB for each
 * datagram it receives and calls into JavaScript once per datagram. A server that fans one post out
 * to many clients and peers, and hears from all of them, pays that per copy.
 *
 * sendBatch(fd, datagrams, hosts, ports, count) -> how many of the first `count` were sent, in order.
 *   datagrams: an array of Uint8Array; hosts: Uint32Array of IPv4 addresses in network byte order;
 *   ports: Uint16Array. Stops at the first datagram the kernel refuses (e.g. EAGAIN with a full send
 *   buffer): the caller sends the rest its usual way, which queues and reports errors.
 *
 * receiveStart(fd, onBatch, lengths, hosts, ports) -> a receiver. Watches a duplicate of `fd`
 *   (close-on-exec, like every descriptor Node opens, so that no child process keeps the port) on
 *   Node's event loop; whenever it is readable, reads up to RECEIVE_BATCH_MAX datagrams with one
 *   recvmmsg(2) (as many as libuv reads per wakeup) and calls onBatch(count, data) once: data is one
 *   new Buffer holding the datagrams back to back, lengths (Uint32Array), hosts (Uint32Array, network
 *   byte order) and ports (Uint16Array) say where each is and whom it came from. On a receive error
 *   other than "nothing to read" it calls onBatch(-errno, undefined); after an error of the watch
 *   itself it stops. The caller then stops Node's own reading on the socket (its handle's
 *   recvStop()), so that the two do not race for datagrams.
 * receiveStop(receiver): stops watching and closes the duplicate; onBatch is not called again.
 *
 * Built at install by scripts/build-native.mjs with the system C compiler and Node's headers (N-API,
 * so one build serves every Node version); optional: without it @chat/transport uses node:dgram only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

enum {
  SEND_BATCH_MAX = 1024,
  RECEIVE_BATCH_MAX = 32,
  /* Room for the largest UDP payload (65,507 bytes): nothing is ever truncated. */
  RECEIVE_SLOT_BYTES = 65536,
};

/* Scratch space, one per Node environment (main thread or worker), so threads never share it. */
typedef struct {
  struct mmsghdr send_messages[SEND_BATCH_MAX];
  struct iovec send_iovecs[SEND_BATCH_MAX];
  struct sockaddr_in send_addresses[SEND_BATCH_MAX];
  struct mmsghdr receive_messages[RECEIVE_BATCH_MAX];
  struct iovec receive_iovecs[RECEIVE_BATCH_MAX];
  struct sockaddr_in receive_addresses[RECEIVE_BATCH_MAX];
  unsigned char receive_slots[RECEIVE_BATCH_MAX][RECEIVE_SLOT_BYTES];
} scratch;

typedef struct {
  uv_poll_t poll;
  int fd;
  napi_env env;
  scratch *space;
  napi_ref on_batch;
  napi_ref lengths_ref, hosts_ref, ports_ref;
  uint32_t *lengths;
  uint32_t *hosts;
  uint16_t *ports;
  napi_async_context async_context;
  int stopped;
  napi_async_cleanup_hook_handle cleanup;
} receiver;

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static scratch *scratch_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* One message of a batch: one buffer, one IPv4 address. */
static void set_message(struct mmsghdr *message, struct sockaddr_in *address,
                        struct iovec *buffer) {
  struct msghdr *header = &message->msg_hdr;
  memset(header, 0, sizeof *header);
  header->msg_name = address;
  header->msg_namelen = sizeof *address;
  header->msg_iov = buffer;
  header->msg_iovlen = 1;
}

static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    return fail(env, "sendBatch(fd, datagrams, hosts, ports, count)");
  }
  int32_t fd, count;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[4], &count) != napi_ok || count < 0 ||
      count > SEND_BATCH_MAX) {
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
  scratch *space = scratch_of(env);
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
    space->send_iovecs[i].iov_base = data;
    space->send_iovecs[i].iov_len = length;
    space->send_addresses[i].sin_family = AF_INET;
    space->send_addresses[i].sin_port = htons(ports[i]);
    space->send_addresses[i].sin_addr.s_addr = hosts[i];
    set_message(&space->send_messages[i], &space->send_addresses[i], &space->send_iovecs[i]);
  }
  int32_t sent = 0;
  while (sent < count) {
    int n = sendmmsg(fd, space->send_messages + sent, (unsigned)(count - sent), MSG_DONTWAIT);
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

/* Calls onBatch(first, second) as Node calls its own I/O callbacks (microtasks run after it). */
static void call_on_batch(receiver *self, napi_value first, napi_value second) {
  napi_env env = self->env;
  napi_value on_batch, resource, argv[2] = {first, second};
  napi_get_reference_value(env, self->on_batch, &on_batch);
  napi_get_global(env, &resource);
  if (napi_make_callback(env, self->async_context, resource, on_batch, 2, argv, NULL) ==
      napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

/* Calls onBatch(-errno, undefined). */
static void report_error(receiver *self, int negative_errno) {
  napi_value code, nothing;
  napi_create_int32(self->env, negative_errno, &code);
  napi_get_undefined(self->env, &nothing);
  call_on_batch(self, code, nothing);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  receiver *self = poll->data;
  (void)events;
  if (self->stopped) return;
  napi_env env = self->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  if (status < 0) {
    /* The descriptor itself failed (it will not read again): report it once and stop watching. */
    uv_poll_stop(poll);
    report_error(self, status);
    napi_close_handle_scope(env, scope);
    return;
  }
  scratch *space = self->space;
  for (int i = 0; i < RECEIVE_BATCH_MAX; i++) {
    space->receive_iovecs[i].iov_base = space->receive_slots[i];
    space->receive_iovecs[i].iov_len = RECEIVE_SLOT_BYTES;
    set_message(&space->receive_messages[i], &space->receive_addresses[i],
                &space->receive_iovecs[i]);
  }
  int count;
  do {
    count = recvmmsg(self->fd, space->receive_messages, RECEIVE_BATCH_MAX, MSG_DONTWAIT, NULL);
  } while (count < 0 && errno == EINTR);
  if (count < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) report_error(self, -errno);
    napi_close_handle_scope(env, scope);
    return;
  }
  size_t total = 0;
  for (int i = 0; i < count; i++) {
    const struct mmsghdr *message = &space->receive_messages[i];
    self->lengths[i] = message->msg_len;
    self->hosts[i] = space->receive_addresses[i].sin_addr.s_addr;
    self->ports[i] = ntohs(space->receive_addresses[i].sin_port);
    total += message->msg_len;
  }
  void *bytes = NULL;
  napi_value data, how_many;
  if (napi_create_buffer(env, total, &bytes, &data) == napi_ok) {
    size_t at = 0;
    for (int i = 0; i < count; i++) {
      memcpy((unsigned char *)bytes + at, space->receive_slots[i], self->lengths[i]);
      at += self->lengths[i];
    }
    napi_create_int32(env, count, &how_many);
    call_on_batch(self, how_many, data);
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) { free(handle->data); }

/*
 * Stops watching and closes the duplicate at once (uv_close takes it out of epoll first), so the
 * port is free as soon as node:dgram closes the socket; the memory goes once libuv closed the handle.
 */
static void stop(receiver *self, uv_close_cb closed) {
  if (self->stopped) return;
  self->stopped = 1;
  napi_env env = self->env;
  napi_delete_reference(env, self->on_batch);
  napi_delete_reference(env, self->lengths_ref);
  napi_delete_reference(env, self->hosts_ref);
  napi_delete_reference(env, self->ports_ref);
  napi_async_destroy(env, self->async_context);
  uv_close((uv_handle_t *)&self->poll, closed);
  close(self->fd);
}

/*
 * A worker thread that ends with its receivers still open: an async cleanup hook, so that the
 * environment's teardown (and the addon's unloading) waits until libuv has closed the handle.
 */
static void closed_at_exit(uv_handle_t *handle) {
  receiver *self = handle->data;
  napi_async_cleanup_hook_handle cleanup = self->cleanup;
  free(self);
  napi_remove_async_cleanup_hook(cleanup);
}
static void stop_at_exit(napi_async_cleanup_hook_handle handle, void *self) {
  (void)handle;
  stop(self, closed_at_exit);
}

static int typed_array(napi_env env, napi_value value, napi_typedarray_type want, void **data) {
  napi_typedarray_type type;
  size_t length;
  return napi_get_typedarray_info(env, value, &type, &length, data, NULL, NULL) == napi_ok &&
         type == want && length >= RECEIVE_BATCH_MAX;
}

static napi_value receive_start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_valuetype on_batch_type;
  int32_t fd;
  void *lengths, *hosts, *ports;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_typeof(env, argv[1], &on_batch_type) != napi_ok || on_batch_type != napi_function ||
      !typed_array(env, argv[2], napi_uint32_array, &lengths) ||
      !typed_array(env, argv[3], napi_uint32_array, &hosts) ||
      !typed_array(env, argv[4], napi_uint16_array, &ports)) {
    return fail(env, "receiveStart(fd, onBatch, lengths: Uint32Array(32), hosts: Uint32Array(32), "
                     "ports: Uint16Array(32))");
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return fail(env, "receiveStart: no event loop");
  receiver *self = calloc(1, sizeof *self);
  if (self == NULL) return fail(env, "receiveStart: out of memory");
  self->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (self->fd < 0 || uv_poll_init_socket(loop, &self->poll, self->fd) != 0) {
    if (self->fd >= 0) close(self->fd);
    free(self);
    return fail(env, "receiveStart: cannot watch the socket");
  }
  self->poll.data = self;
  self->env = env;
  self->space = scratch_of(env);
  self->lengths = lengths;
  self->hosts = hosts;
  self->ports = ports;
  napi_value name;
  napi_create_string_utf8(env, "UDPBATCHRECEIVE", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &self->async_context);
  napi_create_reference(env, argv[1], 1, &self->on_batch);
  napi_create_reference(env, argv[2], 1, &self->lengths_ref);
  napi_create_reference(env, argv[3], 1, &self->hosts_ref);
  napi_create_reference(env, argv[4], 1, &self->ports_ref);
  napi_add_async_cleanup_hook(env, stop_at_exit, self, &self->cleanup);
  uv_poll_start(&self->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, self, NULL, NULL, &handle);
  return handle;
}

static napi_value receive_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *self = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_external(env, argv[0], &self) != napi_ok || self == NULL) {
    return fail(env, "receiveStop(receiver)");
  }
  if (!((receiver *)self)->stopped) {
    napi_remove_async_cleanup_hook(((receiver *)self)->cleanup);
    stop(self, on_closed);
  }
  return NULL;
}

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  scratch *space = malloc(sizeof *space);
  if (space == NULL || napi_set_instance_data(env, space, free_scratch, NULL) != napi_ok) {
    free(space);
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  const struct {
    const char *name;
    napi_callback function;
  } functions[] = {
      {"sendBatch", send_batch},
      {"receiveStart", receive_start},
      {"receiveStop", receive_stop},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value function;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].function, NULL,
                         &function);
    napi_set_named_property(env, exports, functions[i].name, function);
  }
  return exports;
}
