/**
 * `chatstress --report FILE.html`: one self-contained page (inline CSS and SVG, no scripts, nothing
 * fetched) with the run's figures, its latency histogram and a space-time diagram of a sample of
 * messages, so a person can see what the ordering mode did.
 */
import { reportRows, type StressReport } from './stress-report.js';
import type { SampledMessage, TraceSampleData } from './trace-sample.js';

const HISTOGRAM_BINS = 48;
const HISTOGRAM_WIDTH_PX = 900;
const HISTOGRAM_HEIGHT_PX = 260;
/** Latencies below this are drawn in the first bin: the log scale needs a floor. */
const LATENCY_FLOOR_MS = 0.001;
/** Lines a person can still tell apart; clients beyond it are left out of the diagram. */
const CLIENT_LINES_MAX = 40;
const DIAGRAM_WIDTH_PX = 900;
const ROW_HEIGHT_PX = 18;
const LABEL_WIDTH_PX = 110;
const MARGIN_PX = 24;

export function renderHtmlReport(
  report: StressReport,
  sortedLatenciesMs: Float64Array,
  trace: TraceSampleData,
): string {
  const title = `chatstress: ${report.program} ${report.mode}, ${report.servers} servers, ${report.clients} clients`;
  const rows = reportRows(report)
    .map(([name, value]) => `<tr><th>${escape(name)}</th><td>${escape(value)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th { text-align: left; padding: 2px 1em 2px 0; font-weight: 600; }
td { font-family: ui-monospace, monospace; }
svg { display: block; margin: 1em 0; }
svg text { font: 11px ui-monospace, monospace; fill: #333; }
.caption { max-width: 60em; color: #555; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<table>
${rows}
</table>
<h2>Latency from post to delivery</h2>
<p class="caption">Every delivery of the run, by latency on a logarithmic scale. Lines mark p50, p90 and p99.</p>
${latencyHistogram(sortedLatenciesMs)}
<h2>Space-time diagram</h2>
<p class="caption">Time runs left to right. Each client is a line, grouped under the server it talks to.
Each arrow is one sampled message: it leaves its poster's line when the post was sent and ends on a
receiver's line when that client received it (the hops through the servers between are not
observed). The number at an arrow's end is the message's rank among the sampled messages that client
received: in total mode it is the same at every client of a room.</p>
${spaceTimeDiagram(trace)}
</body>
</html>
`;
}

function latencyHistogram(sorted: Float64Array): string {
  if (sorted.length === 0) return '<p>No deliveries.</p>';
  const lowMs = Math.max(sorted[0]!, LATENCY_FLOOR_MS);
  const highMs = Math.max(sorted[sorted.length - 1]!, lowMs * 1.01);
  const logLow = Math.log10(lowMs);
  const logSpan = Math.log10(highMs) - logLow;
  const binOf = (ms: number): number =>
    Math.min(
      HISTOGRAM_BINS - 1,
      Math.floor(((Math.log10(Math.max(ms, lowMs)) - logLow) / logSpan) * HISTOGRAM_BINS),
    );
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const ms of sorted) counts[binOf(ms)]! += 1;
  const countMax = Math.max(...counts);
  const plotWidth = HISTOGRAM_WIDTH_PX - 2 * MARGIN_PX;
  const plotHeight = HISTOGRAM_HEIGHT_PX - 2 * MARGIN_PX;
  const xOf = (ms: number): number =>
    MARGIN_PX + ((Math.log10(Math.max(ms, lowMs)) - logLow) / logSpan) * plotWidth;
  const barWidth = plotWidth / HISTOGRAM_BINS;
  const bars = counts
    .map((count, bin) => {
      const height = (count / countMax) * plotHeight;
      const from = 10 ** (logLow + (bin / HISTOGRAM_BINS) * logSpan);
      const to = 10 ** (logLow + ((bin + 1) / HISTOGRAM_BINS) * logSpan);
      return (
        `<rect x="${fmt(MARGIN_PX + bin * barWidth)}" y="${fmt(MARGIN_PX + plotHeight - height)}" ` +
        `width="${fmt(barWidth - 1)}" height="${fmt(height)}" fill="#4a7bd0">` +
        `<title>${from.toFixed(3)}-${to.toFixed(3)} ms: ${count}</title></rect>`
      );
    })
    .join('');
  const ticks: string[] = [];
  for (let decade = Math.ceil(logLow); decade <= Math.log10(highMs); decade++) {
    const x = fmt(xOf(10 ** decade));
    ticks.push(
      `<line x1="${x}" x2="${x}" y1="${MARGIN_PX + plotHeight}" y2="${MARGIN_PX + plotHeight + 4}" stroke="#333"/>` +
        `<text x="${x}" y="${MARGIN_PX + plotHeight + 16}" text-anchor="middle">${10 ** decade} ms</text>`,
    );
  }
  const markers = (
    [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
    ] as const
  )
    .map(([name, fraction]) => {
      const rank = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
      const ms = sorted[Math.max(0, rank)]!;
      const x = fmt(xOf(ms));
      return (
        `<line x1="${x}" x2="${x}" y1="${MARGIN_PX}" y2="${MARGIN_PX + plotHeight}" stroke="#d04a4a" stroke-dasharray="4 3"/>` +
        `<text x="${x}" y="${MARGIN_PX - 6}" text-anchor="middle">${name} ${ms.toFixed(3)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${HISTOGRAM_WIDTH_PX}" height="${HISTOGRAM_HEIGHT_PX}" role="img" aria-label="latency histogram">` +
    `<line x1="${MARGIN_PX}" x2="${MARGIN_PX + plotWidth}" y1="${MARGIN_PX + plotHeight}" y2="${MARGIN_PX + plotHeight}" stroke="#333"/>` +
    `${bars}${ticks.join('')}${markers}` +
    `<text x="${MARGIN_PX}" y="${MARGIN_PX - 6}">${countMax} deliveries in the tallest bar</text>` +
    `</svg>`
  );
}

function spaceTimeDiagram(trace: TraceSampleData): string {
  const messages = trace.messages.filter((message) => Number.isFinite(message.postedAtMs));
  if (messages.length === 0) return '<p>No sampled message was posted.</p>';
  const clients = diagramClients(trace, messages);

  // One row per server, followed by a row per shown client of that server.
  const rowOfClient = new Map<number, number>();
  const labels: string[] = [];
  const serverRows: number[] = [];
  for (let server = 0; server < trace.serverCount; server++) {
    // By room within a server, so a room's deliveries line up.
    const ofServer = clients
      .filter((client) => trace.clientServers[client] === server)
      .sort((a, b) => trace.clientRooms[a]! - trace.clientRooms[b]! || a - b);
    if (ofServer.length === 0) continue;
    serverRows.push(labels.length);
    labels.push(`server ${server + 1}`);
    for (const client of ofServer) {
      rowOfClient.set(client, labels.length);
      labels.push(`c${client} room ${trace.clientRooms[client]}`);
    }
  }

  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const message of messages) {
    startMs = Math.min(startMs, message.postedAtMs);
    endMs = Math.max(endMs, message.postedAtMs);
    for (const client of clients) {
      const ms = message.receivedAtMs[client]!;
      if (Number.isFinite(ms)) endMs = Math.max(endMs, ms);
    }
  }
  const spanMs = Math.max(endMs - startMs, 0.001);
  const plotLeft = LABEL_WIDTH_PX;
  const plotWidth = DIAGRAM_WIDTH_PX - plotLeft - MARGIN_PX;
  const xOf = (ms: number): number => plotLeft + ((ms - startMs) / spanMs) * plotWidth;
  const yOf = (row: number): number => MARGIN_PX + row * ROW_HEIGHT_PX;
  const height = yOf(labels.length) + MARGIN_PX;

  const lines = labels
    .map((label, row) => {
      const isServer = serverRows.includes(row);
      const y = fmt(yOf(row));
      return (
        `<text x="4" y="${fmt(yOf(row) + 4)}"${isServer ? ' font-weight="bold"' : ''}>${escape(label)}</text>` +
        `<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${y}" y2="${y}" ` +
        `stroke="${isServer ? '#999' : '#ccc'}" stroke-width="${isServer ? 3 : 1}"/>`
      );
    })
    .join('');

  const rankAt = deliveryRanks(messages, clients);
  const arrows = messages
    .map((message, index) => {
      const color = `hsl(${Math.round((index * 137.5) % 360)} 65% 42%)`;
      const fromRow = rowOfClient.get(message.sender);
      if (fromRow === undefined) return '';
      const x1 = xOf(message.postedAtMs);
      const y1 = yOf(fromRow);
      let out = `<circle cx="${fmt(x1)}" cy="${fmt(y1)}" r="3" fill="${color}"><title>c${message.sender} posts #${message.seq} at ${message.postedAtMs.toFixed(3)} ms</title></circle>`;
      for (const receiver of clients) {
        const ms = message.receivedAtMs[receiver]!;
        const toRow = rowOfClient.get(receiver);
        if (!Number.isFinite(ms) || toRow === undefined) continue;
        const x2 = xOf(ms);
        const y2 = yOf(toRow);
        // A curve, so an arrow to the poster's own line (its echo) stays visible.
        const bend = toRow === fromRow ? -ROW_HEIGHT_PX * 0.8 : 0;
        const cx = (x1 + x2) / 2;
        const cy = (y1 + y2) / 2 + bend;
        const latency = (ms - message.postedAtMs).toFixed(3);
        out +=
          `<path d="M${fmt(x1)},${fmt(y1)} Q${fmt(cx)},${fmt(cy)} ${fmt(x2)},${fmt(y2)}" fill="none" stroke="${color}" stroke-width="1.2" marker-end="url(#arrow)" style="color:${color}">` +
          `<title>c${message.sender} #${message.seq} to c${receiver}: ${latency} ms</title></path>` +
          `<text x="${fmt(x2 + 2)}" y="${fmt(y2 - 3)}" fill="${color}">${rankAt.get(`${index}:${receiver}`) ?? ''}</text>`;
      }
      return out;
    })
    .join('');
  const axis =
    `<text x="${plotLeft}" y="${fmt(height - 6)}">${startMs.toFixed(1)} ms</text>` +
    `<text x="${plotLeft + plotWidth}" y="${fmt(height - 6)}" text-anchor="end">${endMs.toFixed(1)} ms after the first post</text>`;
  const left = trace.clientRooms.length - clients.length;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${DIAGRAM_WIDTH_PX}" height="${fmt(height)}" role="img" aria-label="space-time diagram">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>` +
    `${lines}${arrows}${axis}</svg>` +
    (left > 0 ? `<p class="caption">${left} clients are not shown.</p>` : '')
  );
}

/** The posters first, then the other members of the sampled rooms, at most CLIENT_LINES_MAX. */
function diagramClients(trace: TraceSampleData, messages: readonly SampledMessage[]): number[] {
  const chosen = new Set<number>(messages.map((message) => message.sender));
  const rooms = new Set(messages.map((message) => message.room));
  trace.clientRooms.forEach((room, client) => {
    if (rooms.has(room) && chosen.size < CLIENT_LINES_MAX) chosen.add(client);
  });
  return [...chosen].slice(0, CLIENT_LINES_MAX).sort((a, b) => a - b);
}

/** Per (message index, receiver): the message's rank, from 1, in that receiver's delivery order. */
function deliveryRanks(
  messages: readonly SampledMessage[],
  clients: readonly number[],
): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const receiver of clients) {
    const received = messages
      .map((message, index) => ({ index, ms: message.receivedAtMs[receiver]! }))
      .filter(({ ms }) => Number.isFinite(ms))
      .sort((a, b) => a.ms - b.ms);
    received.forEach(({ index }, rank) => ranks.set(`${index}:${receiver}`, rank + 1));
  }
  return ranks;
}

const fmt = (value: number): string => value.toFixed(1);

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
