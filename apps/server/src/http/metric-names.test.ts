import { describe, expect, it } from 'vitest';
import { metricKind, metricName } from './metric-names.js';

const VALID_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

describe('metricName', () => {
  it.each([
    ['server.clientDatagrams', 'chat_server_client_datagrams_total'],
    ['peers.dropped.malformed', 'chat_peers_dropped_malformed_total'],
    ['socket.bytesSent', 'chat_socket_bytes_sent_total'],
    ['engine.logDepth', 'chat_engine_log_depth'],
    ['engine.totalOrderPending', 'chat_engine_total_order_pending'],
    ['clients', 'chat_clients'],
    ['view.id', 'chat_view_id'],
    ['memory.rssBytes', 'chat_memory_rss_bytes'],
    ['websocket.connections', 'chat_websocket_connections'],
    ['websocket.closed-flood', 'chat_websocket_closed_flood_total'],
  ])('maps %s to %s', (key, name) => {
    expect(metricName(key)).toBe(name);
    expect(name).toMatch(VALID_METRIC_NAME);
  });

  it('tells depths and levels from counts', () => {
    expect(metricKind('engine.holdBackDepth')).toBe('gauge');
    expect(metricKind('view.primary')).toBe('gauge');
    expect(metricKind('engine.retransmissions')).toBe('counter');
  });
});
