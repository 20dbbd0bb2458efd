/*
 * load-driver: chatstress's load generator in C, so that the generator is not what limits a
 * benchmark on a small machine. It does what apps/stress/src/workload.ts does with Node sockets —
 * C clients, client i on server i mod S and in room floor(i*G/C)+1, each posting M lines `i.seq`,
 * closed loop (a window of unechoed own posts, grown from 1 over the warm-up) or at a fixed total
 * rate (ramped up from 0 over the warm-up), round-robin — with one epoll loop and recvmmsg.
 *
 * It checks nothing itself: it records every post and every delivery with its time and writes them
 * to --out as 24-byte records (int32 kind [0 post, 1 delivery], int32 receiver, int32 sender,
 * int32 seq, float64 ms since start; little-endian), in the order they happened, for
 * delivery-ledger.ts to account for exactly as for the Node generator. On stdout it prints one JSON
 * object with the counts and times only it knows. Exit status 1 when setup fails, 2 on bad usage.
 *
 * Usage: load-driver --servers IP:PORT[,IP:PORT...] --clients C --rooms G --messages M
 *                    (--rate R | --window W) [--warmup-ms T] [--idle-timeout-ms T] --out FILE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
  SERVERS_MAX = 64,
  CLIENTS_MAX = 4096,
  BATCH = 64,
  DATAGRAM_BYTES_MAX = 2048,
  SETUP_RETRY_MS = 300,
  SETUP_ATTEMPTS_MAX = 20,
  RECV_BUFFER_BYTES = 4 * 1024 * 1024,
  /*
   * Closed loop: a client that has had no echo of its own for this long takes its unechoed posts
   * for lost and posts on, so a baseline relay (which repairs nothing) cannot stall the run.
   */
  ECHO_GIVE_UP_MS = 1000,
  /* Digits of a sender or seq beyond which a line is not a delivery (as delivery-line.ts). */
  DIGITS_MAX = 9,
};

struct record {
  int32_t kind;
  int32_t receiver;
  int32_t sender;
  int32_t seq;
  double ms;
};

enum setup_step { STEP_NICK, STEP_JOIN, STEP_READY };

struct load_client {
  int socket;
  int room;
  int next_seq;
  int in_flight;
  enum setup_step step;
  int attempts;
  double sent_ms;
  double echoed_ms; /* the last own echo, or the first post */
};

static struct sockaddr_in servers[SERVERS_MAX];
static int server_count;
static struct load_client clients[CLIENTS_MAX];
static int client_count, room_count, messages_per_client, window_per_client;
static double rate_per_second; /* 0 = closed loop */
static double warmup_ms, idle_timeout_ms = 5000;
static const char *out_path;
static int *room_sizes;

static struct record *records;
static size_t record_count, records_max, records_dropped;
static long posted, post_target, deliveries, expected_deliveries;
static long busy_replies, refused_deliveries, unexpected_datagrams, socket_errors;
static long posted_after_warmup, delivered_after_warmup;
static double first_post_ms = -1, last_post_ms, warmup_end_ms, last_delivery_ms;
static double start_ms;
static struct rusage usage_at_first_post;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6 - start_ms;
}

static double cpu_ms(const struct rusage *u) {
  return (double)(u->ru_utime.tv_sec + u->ru_stime.tv_sec) * 1e3 +
         (double)(u->ru_utime.tv_usec + u->ru_stime.tv_usec) / 1e3;
}

static void record(int kind, int receiver, int sender, int seq, double ms) {
  if (record_count == records_max) {
    records_dropped++;
    return;
  }
  records[record_count++] = (struct record){kind, receiver, sender, seq, ms};
}

static void send_text(struct load_client *client, const char *text) {
  if (send(client->socket, text, strlen(text), 0) < 0) socket_errors++;
}

static int post_next(int index) {
  struct load_client *client = &clients[index];
  int seq = client->next_seq;
  if (seq >= messages_per_client) return 0;
  client->next_seq = seq + 1;
  client->in_flight++;
  posted++;
  double now = now_ms();
  if (first_post_ms < 0) {
    first_post_ms = now;
    getrusage(RUSAGE_SELF, &usage_at_first_post);
    warmup_end_ms = now + warmup_ms;
  }
  last_post_ms = now;
  if (now >= warmup_end_ms) posted_after_warmup++;
  record(0, index, index, seq, now);
  char line[32];
  int length = snprintf(line, sizeof line, "%d.%d", index, seq);
  if (send(client->socket, line, (size_t)length, 0) < 0) socket_errors++;
  return 1;
}

/* Closed loop: posts until the client has its window; the window grows from 1 over the warm-up. */
static void top_up(int index, double now) {
  double since = first_post_ms < 0 ? 0 : now - first_post_ms;
  int window = window_per_client;
  if (since < warmup_ms) {
    int ramped = (int)((window_per_client * since + warmup_ms - 1) / warmup_ms);
    window = ramped < 1 ? 1 : ramped;
  }
  while (clients[index].in_flight < window && post_next(index));
}

/* `<NICK> S.Q` read from the end, as delivery-line.ts: 1 and the numbers, or 0. */
static int parse_delivery(const unsigned char *data, int length, int *sender, int *seq) {
  int at = length - 1, seq_end = at, value = 0;
  for (int scale = 1; at >= 0 && data[at] >= '0' && data[at] <= '9'; at--, scale *= 10) {
    if (seq_end - at >= DIGITS_MAX) return 0;
    value += (data[at] - '0') * scale;
  }
  if (at == seq_end || at < 0 || data[at] != '.') return 0;
  *seq = value;
  int sender_end = --at;
  value = 0;
  for (int scale = 1; at >= 0 && data[at] >= '0' && data[at] <= '9'; at--, scale *= 10) {
    if (sender_end - at >= DIGITS_MAX) return 0;
    value += (data[at] - '0') * scale;
  }
  if (at == sender_end || at < 2 || data[at] != ' ' || data[at - 1] != '>' || data[0] != '<') {
    return 0;
  }
  *sender = value;
  return 1;
}

static void send_setup_step(int index, double now) {
  struct load_client *client = &clients[index];
  char line[64];
  if (client->step == STEP_NICK) snprintf(line, sizeof line, "/nick c%d", index);
  else snprintf(line, sizeof line, "/join %d", client->room);
  send_text(client, line);
  client->sent_ms = now;
  client->attempts++;
}

static int starts_with(const unsigned char *data, int length, const char *prefix) {
  int n = (int)strlen(prefix);
  return length >= n && memcmp(data, prefix, (size_t)n) == 0;
}

static int ready_count;

static void on_setup_reply(int index, const unsigned char *data, int length, double now) {
  struct load_client *client = &clients[index];
  char already[64];
  snprintf(already, sizeof already, "-ERR You are already in room #%d", client->room);
  if (client->step == STEP_NICK && starts_with(data, length, "+OK Nickname")) {
    client->step = STEP_JOIN;
    client->attempts = 0;
    send_setup_step(index, now);
  } else if (client->step == STEP_JOIN && (starts_with(data, length, "+OK You are now") ||
                                           starts_with(data, length, already))) {
    client->step = STEP_READY;
    ready_count++;
  }
}

static void on_datagram(int index, const unsigned char *data, int length, double now) {
  struct load_client *client = &clients[index];
  if (client->step != STEP_READY) {
    on_setup_reply(index, data, length, now);
    return;
  }
  int sender, seq;
  if (!parse_delivery(data, length, &sender, &seq)) {
    if (starts_with(data, length, "-ERR Server busy")) {
      busy_replies++;
      refused_deliveries += room_sizes[client->room];
      if (client->in_flight > 0) client->in_flight--;
      if (rate_per_second == 0) top_up(index, now);
    } else {
      unexpected_datagrams++;
    }
    return;
  }
  if (sender < 0 || sender >= client_count || seq >= messages_per_client ||
      clients[sender].room != client->room) {
    unexpected_datagrams++;
    return;
  }
  record(1, index, sender, seq, now);
  deliveries++;
  if (now >= warmup_end_ms) delivered_after_warmup++;
  last_delivery_ms = now;
  if (sender == index) {
    if (client->in_flight > 0) client->in_flight--;
    client->echoed_ms = now;
    if (rate_per_second == 0) top_up(index, now);
  }
}

/* Kernel drops (receive buffer full) at our sockets, from /proc/net/udp; -1 without it. */
static long client_drops(void) {
  FILE *table = fopen("/proc/net/udp", "r");
  if (table == NULL) return -1;
  char line[512];
  long drops = 0;
  if (fgets(line, sizeof line, table) == NULL) {
    fclose(table);
    return -1;
  }
  static unsigned char ours[65536];
  for (int i = 0; i < client_count; i++) {
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    if (getsockname(clients[i].socket, (struct sockaddr *)&address, &length) == 0) {
      ours[ntohs(address.sin_port)] = 1;
    }
  }
  while (fgets(line, sizeof line, table) != NULL) {
    char local[64];
    if (sscanf(line, " %*s %63s", local) != 1) continue;
    const char *colon = strchr(local, ':');
    if (colon == NULL) continue;
    unsigned port = (unsigned)strtoul(colon + 1, NULL, 16);
    /* The drops column is the last one. */
    char *end = line + strlen(line);
    while (end > line && (end[-1] == '\n' || end[-1] == ' ')) end--;
    char *last = end;
    while (last > line && last[-1] != ' ') last--;
    if (port < 65536 && ours[port]) drops += strtol(last, NULL, 10);
  }
  fclose(table);
  return drops;
}

static int parse_servers(char *list) {
  for (char *item = strtok(list, ","); item != NULL; item = strtok(NULL, ",")) {
    char *colon = strrchr(item, ':');
    if (colon == NULL || server_count == SERVERS_MAX) return -1;
    *colon = '\0';
    struct sockaddr_in *server = &servers[server_count++];
    server->sin_family = AF_INET;
    server->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, item, &server->sin_addr) != 1) return -1;
  }
  return server_count > 0 ? 0 : -1;
}

static void usage(const char *why) {
  fprintf(stderr,
          "load-driver: %s\nusage: load-driver --servers IP:PORT[,IP:PORT...] --clients C "
          "--rooms G --messages M (--rate R | --window W) [--warmup-ms T] "
          "[--idle-timeout-ms T] --out FILE\n",
          why);
  exit(2);
}

int main(int argc, char **argv) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  start_ms = (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage("an option lacks its value");
    const char *name = argv[i], *value = argv[i + 1];
    if (strcmp(name, "--servers") == 0) {
      if (parse_servers(argv[i + 1]) != 0) usage("bad --servers");
    } else if (strcmp(name, "--clients") == 0) client_count = atoi(value);
    else if (strcmp(name, "--rooms") == 0) room_count = atoi(value);
    else if (strcmp(name, "--messages") == 0) messages_per_client = atoi(value);
    else if (strcmp(name, "--rate") == 0) rate_per_second = atof(value);
    else if (strcmp(name, "--window") == 0) window_per_client = atoi(value);
    else if (strcmp(name, "--warmup-ms") == 0) warmup_ms = atof(value);
    else if (strcmp(name, "--idle-timeout-ms") == 0) idle_timeout_ms = atof(value);
    else if (strcmp(name, "--out") == 0) out_path = value;
    else usage("unknown option");
  }
  if (server_count == 0 || client_count < 1 || client_count > CLIENTS_MAX || room_count < 1 ||
      room_count > client_count || messages_per_client < 1 || out_path == NULL ||
      (rate_per_second > 0) == (window_per_client > 0)) {
    usage("missing or out-of-range options");
  }

  room_sizes = calloc((size_t)room_count + 2, sizeof *room_sizes);
  for (int i = 0; i < client_count; i++) {
    clients[i].room = (int)(((long)i * room_count) / client_count) + 1;
    room_sizes[clients[i].room]++;
  }
  for (int room = 1; room <= room_count; room++) {
    expected_deliveries += (long)room_sizes[room] * room_sizes[room] * messages_per_client;
  }
  post_target = (long)client_count * messages_per_client;
  /* Every post, every delivery, and room for as many duplicates again. */
  records_max = (size_t)(post_target + 2 * expected_deliveries);
  records = malloc(records_max * sizeof *records);
  if (records == NULL) usage("too many messages to record");

  int epoll = epoll_create1(0);
  for (int i = 0; i < client_count; i++) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int size = RECV_BUFFER_BYTES;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in local = {.sin_family = AF_INET};
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&local, sizeof local) != 0 ||
        connect(s, (struct sockaddr *)&servers[i % server_count], sizeof servers[0]) != 0) {
      perror("load-driver: socket");
      return 1;
    }
    clients[i].socket = s;
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(epoll, EPOLL_CTL_ADD, s, &event);
  }

  static struct mmsghdr messages[BATCH];
  static struct iovec iovecs[BATCH];
  static unsigned char bytes[BATCH][DATAGRAM_BYTES_MAX];
  for (int i = 0; i < BATCH; i++) {
    iovecs[i].iov_base = bytes[i];
    iovecs[i].iov_len = DATAGRAM_BYTES_MAX;
    messages[i].msg_hdr.msg_iov = &iovecs[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  static struct epoll_event events[CLIENTS_MAX];

  for (int i = 0; i < client_count; i++) send_setup_step(i, now_ms());
  double last_progress_ms = now_ms(), run_started_ms = 0;
  int cursor = 0;
  for (;;) {
    double now = now_ms();
    int running = ready_count == client_count;
    if (!running) {
      for (int i = 0; i < client_count; i++) {
        struct load_client *client = &clients[i];
        if (client->step == STEP_READY || now - client->sent_ms < SETUP_RETRY_MS) continue;
        if (client->attempts >= SETUP_ATTEMPTS_MAX) {
          fprintf(stderr, "load-driver: client %d: no reply to its %s from server %d\n", i,
                  client->step == STEP_NICK ? "/nick" : "/join", i % server_count + 1);
          return 1;
        }
        send_setup_step(i, now);
      }
    } else if (run_started_ms == 0) {
      run_started_ms = now;
      last_progress_ms = now;
      if (rate_per_second == 0) {
        for (int i = 0; i < client_count; i++) {
          clients[i].echoed_ms = now;
          top_up(i, now);
        }
      }
    } else if (rate_per_second == 0) {
      for (int i = 0; i < client_count; i++) {
        struct load_client *client = &clients[i];
        if (client->in_flight == 0 || now - client->echoed_ms < ECHO_GIVE_UP_MS) continue;
        client->in_flight = 0;
        client->echoed_ms = now;
        top_up(i, now);
      }
    }
    if (running && rate_per_second > 0 && posted < post_target) {
      double elapsed = now - run_started_ms, per_ms = rate_per_second / 1000;
      double due_total = elapsed >= warmup_ms ? per_ms * (elapsed - warmup_ms / 2)
                                              : per_ms * elapsed * elapsed / (2 * warmup_ms);
      long due = (long)due_total - posted;
      for (long k = 0; k < due && posted < post_target; k++) {
        for (int tries = 0; tries < client_count; tries++) {
          int index = cursor;
          cursor = cursor + 1 == client_count ? 0 : cursor + 1;
          if (post_next(index)) break;
        }
      }
    }
    if (running && deliveries + refused_deliveries >= expected_deliveries) break;
    if (running && now - last_progress_ms > idle_timeout_ms) break;

    int timeout = running && rate_per_second > 0 && posted < post_target ? 1 : 50;
    int ready = epoll_wait(epoll, events, client_count, timeout);
    now = now_ms();
    for (int e = 0; e < ready; e++) {
      int index = (int)events[e].data.u32;
      for (;;) {
        int got = recvmmsg(clients[index].socket, messages, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) {
          if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) socket_errors++;
          break;
        }
        for (int m = 0; m < got; m++) {
          on_datagram(index, bytes[m], (int)messages[m].msg_len, now);
        }
        last_progress_ms = now;
        if (got < BATCH) break;
      }
    }
  }
  struct rusage usage_at_end;
  getrusage(RUSAGE_SELF, &usage_at_end);
  long drops = client_drops();
  for (int i = 0; i < client_count; i++) {
    send_text(&clients[i], "/quit");
    close(clients[i].socket);
  }

  FILE *out = fopen(out_path, "wb");
  if (out == NULL || fwrite(records, sizeof *records, record_count, out) != record_count ||
      fclose(out) != 0) {
    perror("load-driver: writing the records");
    return 1;
  }
  printf("{\"posted\":%ld,\"deliveries\":%ld,\"firstPostMs\":%.6f,\"lastPostMs\":%.6f,"
         "\"warmupEndMs\":%.6f,\"lastDeliveryMs\":%.6f,\"postedAfterWarmup\":%ld,"
         "\"deliveredAfterWarmup\":%ld,\"generatorCpuMs\":%.3f,\"busyReplies\":%ld,"
         "\"refusedDeliveries\":%ld,\"unexpectedDatagrams\":%ld,\"socketErrors\":%ld,"
         "\"clientDrops\":%ld,\"recordsDropped\":%zu}\n",
         posted, deliveries, first_post_ms, last_post_ms, warmup_end_ms, last_delivery_ms,
         posted_after_warmup, delivered_after_warmup,
         cpu_ms(&usage_at_end) - cpu_ms(&usage_at_first_post), busy_replies, refused_deliveries,
         unexpected_datagrams, socket_errors, drops, records_dropped);
  return 0;
}
