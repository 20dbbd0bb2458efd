/*
 * null-relay <config-file> <index>: the compiled benchmark baseline. It does the same datagram hops
 * as chatrelay (client -> its server -> the other servers -> the room's clients) with no protocol,
 * no ordering, no reliability and no checks, as a C program would: one blocking socket, up to
 * BATCH datagrams read per recvmmsg and everything they cause sent with one sendmmsg. Its sustained
 * rate is the compiled limit of this machine that chatserver is compared with in `pnpm bench`.
 *
 * Wire format between relays: one byte of room, then the delivery line `<NICK> TEXT`.
 * Built by apps/stress/src/native-program.ts with the system C compiler; Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
  SERVERS_MAX = 64,
  CLIENTS_MAX = 8192,
  /* Open addressing at most half full. */
  CLIENT_SLOTS = 2 * CLIENTS_MAX,
  ROOMS_MAX = 255,
  NICK_BYTES_MAX = 64,
  DATAGRAM_BYTES_MAX = 2048,
  BATCH = 64,
  /* Datagrams one batch may cause: a delivery to every client, or a copy to every peer. */
  OUT_MAX = BATCH * 32,
  SOCKET_BUFFER_BYTES = 4 * 1024 * 1024,
};

struct client {
  uint32_t host; /* network order; 0 = free slot */
  uint16_t port; /* network order */
  uint8_t room;  /* 0 = in no room */
  int member_at; /* position in rooms[room], or -1 */
  char nick[NICK_BYTES_MAX + 1];
};

static struct sockaddr_in peers[SERVERS_MAX];
static int peer_count;
static struct client clients[CLIENT_SLOTS];
static int client_count;
static int *rooms[ROOMS_MAX + 1];
static int room_sizes[ROOMS_MAX + 1];

/* Outgoing datagrams of one batch, each with its bytes in `out_bytes`. */
static struct mmsghdr out_messages[OUT_MAX];
static struct iovec out_iovecs[OUT_MAX];
static struct sockaddr_in out_addresses[OUT_MAX];
static char out_bytes[OUT_MAX][DATAGRAM_BYTES_MAX];
static int out_count;
static int relay_socket;

static void flush_out(void) {
  int sent = 0;
  while (sent < out_count) {
    int n = sendmmsg(relay_socket, out_messages + sent, (unsigned)(out_count - sent), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      sent += 1; /* e.g. ECONNREFUSED from an earlier send: skip that one datagram */
      continue;
    }
    sent += n;
  }
  out_count = 0;
}

/* Queues a copy of `data`, to be sent at the end of the batch. */
static void queue_send(const struct sockaddr_in *to, const char *data, size_t length) {
  if (out_count == OUT_MAX) flush_out();
  if (length > DATAGRAM_BYTES_MAX) length = DATAGRAM_BYTES_MAX;
  int at = out_count++;
  memcpy(out_bytes[at], data, length);
  out_addresses[at] = *to;
  out_iovecs[at].iov_base = out_bytes[at];
  out_iovecs[at].iov_len = length;
  memset(&out_messages[at].msg_hdr, 0, sizeof out_messages[at].msg_hdr);
  out_messages[at].msg_hdr.msg_name = &out_addresses[at];
  out_messages[at].msg_hdr.msg_namelen = sizeof out_addresses[at];
  out_messages[at].msg_hdr.msg_iov = &out_iovecs[at];
  out_messages[at].msg_hdr.msg_iovlen = 1;
}

static void reply_text(const struct sockaddr_in *to, const char *text) {
  queue_send(to, text, strlen(text));
}

static void deliver(int room, const char *line, size_t length) {
  if (room < 1 || room > ROOMS_MAX) return;
  for (int i = 0; i < room_sizes[room]; i++) {
    const struct client *member = &clients[rooms[room][i]];
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = member->port};
    to.sin_addr.s_addr = member->host;
    queue_send(&to, line, length);
  }
}

static int is_peer(const struct sockaddr_in *from) {
  for (int i = 0; i < peer_count; i++) {
    if (peers[i].sin_addr.s_addr == from->sin_addr.s_addr && peers[i].sin_port == from->sin_port) {
      return 1;
    }
  }
  return 0;
}

/* The client at `from`'s slot, added if new; NULL when full. */
static struct client *client_at(const struct sockaddr_in *from) {
  uint32_t hash = (from->sin_addr.s_addr * 2654435761u) ^ (from->sin_port * 40503u);
  for (uint32_t probe = 0; probe < CLIENT_SLOTS; probe++) {
    struct client *slot = &clients[(hash + probe) % CLIENT_SLOTS];
    if (slot->host == from->sin_addr.s_addr && slot->port == from->sin_port) return slot;
    if (slot->host == 0) {
      if (client_count == CLIENTS_MAX) return NULL;
      client_count++;
      slot->host = from->sin_addr.s_addr;
      slot->port = from->sin_port;
      slot->room = 0;
      slot->member_at = -1;
      char address[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &from->sin_addr, address, sizeof address);
      snprintf(slot->nick, sizeof slot->nick, "%s:%u", address, ntohs(from->sin_port));
      return slot;
    }
  }
  return NULL;
}

static void leave_room(struct client *client) {
  int room = client->room;
  if (room == 0) return;
  int at = client->member_at;
  int last = rooms[room][--room_sizes[room]];
  rooms[room][at] = last;
  clients[last].member_at = at;
  client->room = 0;
  client->member_at = -1;
}

static void on_client_datagram(const struct sockaddr_in *from, char *data, size_t length) {
  struct client *client = client_at(from);
  if (client == NULL) return;
  data[length] = '\0';
  char reply[DATAGRAM_BYTES_MAX];
  if (length > 6 && memcmp(data, "/join ", 6) == 0) {
    int room = atoi(data + 6);
    if (room < 1 || room > ROOMS_MAX) return;
    leave_room(client);
    client->room = (uint8_t)room;
    client->member_at = room_sizes[room];
    rooms[room][room_sizes[room]++] = (int)(client - clients);
    snprintf(reply, sizeof reply, "+OK You are now in chat room #%d", room);
    reply_text(from, reply);
  } else if (length > 6 && memcmp(data, "/nick ", 6) == 0) {
    snprintf(client->nick, sizeof client->nick, "%s", data + 6);
    snprintf(reply, sizeof reply, "+OK Nickname set to '%s'", client->nick);
    reply_text(from, reply);
  } else if (length == 5 && memcmp(data, "/quit", 5) == 0) {
    leave_room(client);
    /* Forgetting would break the probe chain of open addressing; a quit client just idles. */
  } else if (client->room != 0) {
    /* reply[0] is the room byte for peers; the delivery line follows it. */
    int line_length =
        snprintf(reply + 1, sizeof reply - 1, "<%s> %.*s", client->nick, (int)length, data);
    if (line_length < 0) return;
    if (line_length > (int)sizeof reply - 2) line_length = (int)sizeof reply - 2;
    reply[0] = (char)client->room;
    for (int i = 0; i < peer_count; i++) queue_send(&peers[i], reply, (size_t)line_length + 1);
    deliver(client->room, reply + 1, (size_t)line_length);
  }
}

/* "IP:port" into `address`; 0 on success. */
static int parse_address(const char *text, struct sockaddr_in *address) {
  char host[64];
  const char *colon = strrchr(text, ':');
  if (colon == NULL || colon - text >= (long)sizeof host) return -1;
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  memset(address, 0, sizeof *address);
  address->sin_family = AF_INET;
  address->sin_port = htons((uint16_t)atoi(colon + 1));
  return inet_pton(AF_INET, host, &address->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: null-relay <config-file> <index>\n");
    return 2;
  }
  int index = atoi(argv[2]);
  FILE *config = fopen(argv[1], "r");
  if (config == NULL || index < 1) {
    fprintf(stderr, "usage: null-relay <config-file> <index>\n");
    return 2;
  }
  struct sockaddr_in self = {0};
  int line_number = 0;
  char line[256];
  while (fgets(line, sizeof line, config) != NULL) {
    char *text = line + strspn(line, " \t");
    text[strcspn(text, " \t\r\n#")] = '\0';
    if (text[0] == '\0') continue;
    line_number++;
    /* "IP:port" or "forwardIP:port,bindIP:port" */
    char *comma = strchr(text, ',');
    struct sockaddr_in forward, bind_address;
    if (comma != NULL) *comma = '\0';
    if (parse_address(text, &forward) != 0 ||
        parse_address(comma != NULL ? comma + 1 : text, &bind_address) != 0 ||
        line_number > SERVERS_MAX) {
      fprintf(stderr, "null-relay: %s: bad line %d\n", argv[1], line_number);
      return 2;
    }
    if (line_number == index) self = bind_address;
    else peers[peer_count++] = forward;
  }
  fclose(config);
  if (index > line_number) {
    fprintf(stderr, "null-relay: %s has no server %d\n", argv[1], index);
    return 2;
  }
  for (int room = 1; room <= ROOMS_MAX; room++) rooms[room] = calloc(CLIENTS_MAX, sizeof(int));

  relay_socket = socket(AF_INET, SOCK_DGRAM, 0);
  int size = SOCKET_BUFFER_BYTES;
  setsockopt(relay_socket, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(relay_socket, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (bind(relay_socket, (struct sockaddr *)&self, sizeof self) != 0) {
    perror("null-relay: bind");
    return 1;
  }

  static struct mmsghdr in_messages[BATCH];
  static struct iovec in_iovecs[BATCH];
  static struct sockaddr_in in_addresses[BATCH];
  static char in_bytes[BATCH][DATAGRAM_BYTES_MAX + 1];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      in_iovecs[i].iov_base = in_bytes[i];
      in_iovecs[i].iov_len = DATAGRAM_BYTES_MAX;
      memset(&in_messages[i].msg_hdr, 0, sizeof in_messages[i].msg_hdr);
      in_messages[i].msg_hdr.msg_name = &in_addresses[i];
      in_messages[i].msg_hdr.msg_namelen = sizeof in_addresses[i];
      in_messages[i].msg_hdr.msg_iov = &in_iovecs[i];
      in_messages[i].msg_hdr.msg_iovlen = 1;
    }
    /* Blocks for the first datagram, then takes whatever else is queued. */
    int received = recvmmsg(relay_socket, in_messages, BATCH, MSG_WAITFORONE, NULL);
    if (received < 0) {
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      perror("null-relay: recvmmsg");
      return 1;
    }
    for (int i = 0; i < received; i++) {
      size_t length = in_messages[i].msg_len;
      const struct sockaddr_in *from = &in_addresses[i];
      if (is_peer(from)) {
        if (length > 0) deliver((unsigned char)in_bytes[i][0], in_bytes[i] + 1, length - 1);
      } else {
        on_client_datagram(from, in_bytes[i], length);
      }
    }
    flush_out();
  }
}
