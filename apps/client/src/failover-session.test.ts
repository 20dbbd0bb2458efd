import type { SocketAddress } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { FailoverSession } from './failover-session.js';
import type { FailoverSettings } from './failover-session.js';

const A = { host: '198.51.100.1', port: 5000 };
const B = { host: '198.51.100.2', port: 5000 };
const C = { host: '198.51.100.3', port: 5000 };
const name = (address: SocketAddress): string => `${address.host}:${address.port}`;

/** A session with its outputs drained into arrays, and time moved by hand. */
function harness(servers: readonly SocketAddress[], settings?: Partial<FailoverSettings>) {
  const session = new FailoverSession(servers, 0, {
    keepaliveIntervalMs: 1_000,
    silenceMsMax: 3_000,
    queuedLinesMax: 1_000,
    unconfirmedLinesMax: 1_000,
    ...settings,
  });
  let now = 0;
  const drain = () => {
    const sent: string[] = [];
    for (let out; (out = session.pollTransmit());) sent.push(`${name(out.to)} ${out.text}`);
    const shown: string[] = [];
    for (let line; (line = session.pollShown());) shown.push(line);
    return { sent, shown };
  };
  return {
    session,
    drain,
    get now() {
      return now;
    },
    /** Moves the clock to `at`, ticking at every deadline on the way, as the timer would. */
    advanceTo(at: number) {
      for (let deadline = session.nextDeadline(); deadline !== undefined && deadline <= at;) {
        now = Math.max(now, deadline);
        session.tick(now);
        deadline = session.nextDeadline();
      }
      now = at;
      session.tick(now);
    },
    arrive(from: SocketAddress, text: string) {
      session.datagramArrived(now, from, text);
    },
  };
}

/** A client on A with nickname alice in room #3, every reply seen. */
function aliceInRoom3(servers: readonly SocketAddress[]) {
  const client = harness(servers);
  client.session.lineTyped('/nick alice');
  client.session.lineTyped('/join 3');
  client.arrive(A, "+OK Nickname set to 'alice'");
  client.arrive(A, '+OK You are now in chat room #3'); // these confirm both lines arrived
  client.drain();
  return client;
}

describe('FailoverSession keepalive', () => {
  it('pings a silent server every second and hides every kind of reply to the ping', () => {
    const client = harness([A]);
    client.advanceTo(999);
    expect(client.drain().sent).toEqual([]);

    client.advanceTo(1_000);
    expect(client.drain().sent).toEqual([`${name(A)} /ping`]);
    client.arrive(A, '-ERR Unknown command /ping');
    client.advanceTo(2_000);
    expect(client.drain()).toEqual({ sent: [`${name(A)} /ping`], shown: [] });
    client.arrive(A, '-ERR Unknown command'); // a server that does not echo the command
    client.advanceTo(3_000);
    client.arrive(A, '-ERR Unknown command: /ping');

    expect(client.drain()).toEqual({ sent: [`${name(A)} /ping`], shown: [] });
  });

  it('does not ping while the server talks', () => {
    const client = harness([A]);
    for (let at = 500; at <= 5_000; at += 500) {
      client.advanceTo(at);
      client.arrive(A, `<bob> line at ${at}`);
    }
    const { sent, shown } = client.drain();
    expect(sent).toEqual([]);
    expect(shown).toHaveLength(10);
  });

  it('shows the reply to a /ping the user typed when no keepalive is outstanding', () => {
    const client = harness([A]);
    client.session.lineTyped('/ping');
    client.arrive(A, '-ERR Unknown command /ping');

    expect(client.drain().shown).toEqual(['-ERR Unknown command /ping']);
  });

  it('shows datagrams escaped, drops a trailing line ending, and ignores other senders', () => {
    const client = harness([A, B]);
    client.arrive(A, '<eve> \x1b[2Jgotcha\r\n');
    client.arrive(B, 'from a server the client is not on');
    client.arrive({ host: '203.0.113.9', port: 5000 }, 'stranger');

    expect(client.drain().shown).toEqual(['<eve> \\x1b[2Jgotcha']);
    expect(client.session.foreignDatagrams).toBe(2);
  });
});

describe('FailoverSession failover', () => {
  it('moves to the next server 3 s after the last datagram, restores nickname and room, and says so in one line', () => {
    const client = aliceInRoom3([A, B]);

    client.advanceTo(2_999);
    expect(client.drain().sent).toEqual([`${name(A)} /ping`, `${name(A)} /ping`]);
    client.advanceTo(3_000);
    expect(client.drain()).toEqual({ sent: [`${name(B)} /ping`], shown: [] });
    client.arrive(B, '-ERR Unknown command /ping');
    expect(client.drain()).toEqual({
      sent: [`${name(A)} /quit`, `${name(B)} /nick alice`, `${name(B)} /join 3`],
      shown: [
        `*** Server ${name(A)} stopped answering; now on ${name(B)} (nickname alice, room #3)`,
      ],
    });

    // The replies to the restoring commands are folded into that line.
    client.arrive(B, "+OK Nickname set to 'alice'");
    client.arrive(B, '+OK You are now in chat room #3');
    client.arrive(B, '<alice> hello again');
    expect(client.drain().shown).toEqual(['<alice> hello again']);
    expect(client.session.server).toEqual(B);
  });

  it('queues lines typed during the switch and sends them after the restoring commands, in order', () => {
    const client = aliceInRoom3([A, B]);
    client.advanceTo(3_000);
    client.drain();

    expect(client.session.lineTyped('typed while switching 1')).toBe('queued');
    expect(client.session.lineTyped('typed while switching 2')).toBe('queued');
    client.arrive(B, '-ERR Unknown command /ping');

    const { sent, shown } = client.drain();
    expect(sent).toEqual([
      `${name(A)} /quit`,
      `${name(B)} /nick alice`,
      `${name(B)} /join 3`,
      `${name(B)} typed while switching 1`,
      `${name(B)} typed while switching 2`,
    ]);
    expect(shown).toEqual([
      `*** Server ${name(A)} stopped answering; now on ${name(B)} (nickname alice, room #3); sent 2 lines it may have missed or typed meanwhile`,
    ]);
  });

  it('sends again the lines no answered keepalive confirmed, and not those one did', () => {
    const client = aliceInRoom3([A, B]);
    client.session.lineTyped('confirmed');
    client.advanceTo(0);
    expect(client.drain().sent).toEqual([`${name(A)} confirmed`, `${name(A)} /ping`]);
    client.arrive(A, '-ERR Unknown command /ping');
    client.session.lineTyped('maybe lost');

    client.advanceTo(3_000);
    client.arrive(B, '-ERR Unknown command /ping');

    const { sent } = client.drain();
    expect(sent.filter((line) => line.startsWith(name(B)))).toEqual([
      `${name(B)} /ping`,
      `${name(B)} /nick alice`,
      `${name(B)} /join 3`,
      `${name(B)} maybe lost`,
    ]);
  });

  it('does not send again a post whose echo came back (the server had it)', () => {
    const client = aliceInRoom3([A, B]);
    client.session.lineTyped('echoed');
    client.session.lineTyped('not echoed');
    client.arrive(A, '<alice> echoed');

    client.advanceTo(3_000);
    client.arrive(B, '-ERR Unknown command /ping');

    const { sent } = client.drain();
    expect(sent.filter((line) => line.startsWith(name(B)))).toEqual([
      `${name(B)} /ping`,
      `${name(B)} /nick alice`,
      `${name(B)} /join 3`,
      `${name(B)} not echoed`,
    ]);
  });

  it('goes round robin past a dead server and says once when no server answers', () => {
    const client = aliceInRoom3([A, B, C]);
    client.advanceTo(3_000);
    client.advanceTo(4_000);
    client.advanceTo(5_000);
    client.advanceTo(6_000);
    expect(client.drain()).toEqual({
      sent: [
        `${name(A)} /ping`,
        `${name(A)} /ping`,
        `${name(B)} /ping`,
        `${name(C)} /ping`,
        `${name(A)} /ping`,
        `${name(B)} /ping`,
      ],
      shown: [
        `*** No server answers (tried ${name(A)}, ${name(B)}, ${name(C)}); still trying (what you type is sent when one answers)`,
      ],
    });
    client.advanceTo(7_000); // C's turn again
    expect(client.drain()).toEqual({ sent: [`${name(C)} /ping`], shown: [] });
    client.arrive(C, '-ERR Unknown command /ping');
    expect(client.drain().shown).toEqual([
      `*** Server ${name(A)} stopped answering; now on ${name(C)} (nickname alice, room #3)`,
    ]);
  });

  it('refuses a line once the queue is full, keeping the queued ones', () => {
    const client = harness([A, B], { queuedLinesMax: 2 });
    client.advanceTo(3_000);

    expect(client.session.lineTyped('one')).toBe('queued');
    expect(client.session.lineTyped('two')).toBe('queued');
    expect(client.session.lineTyped('three')).toBe('queue-full');
    client.arrive(B, '-ERR Unknown command /ping');

    expect(client.drain().sent.slice(-2)).toEqual([`${name(B)} one`, `${name(B)} two`]);
  });

  it('shows a refused re-join (the new server has fewer rooms)', () => {
    const client = aliceInRoom3([A, B]);
    client.advanceTo(3_000);
    client.arrive(B, '-ERR Unknown command /ping');
    client.drain();

    client.arrive(B, "+OK Nickname set to 'alice'");
    client.arrive(B, '-ERR Room must be 1..2');

    expect(client.drain().shown).toEqual(['-ERR Room must be 1..2']);
  });

  it('restores only what the server confirmed: a /join it refused is not repeated', () => {
    const client = harness([A, B]);
    client.session.lineTyped('/join 99');
    client.advanceTo(1);
    client.arrive(A, '-ERR Room must be 1..10');
    client.arrive(A, '-ERR Unknown command /ping'); // confirms /join 99 arrived
    client.advanceTo(3_001);
    client.arrive(B, '-ERR Unknown command /ping');

    const { sent, shown } = client.drain();
    expect(sent.filter((line) => line.startsWith(name(B)))).toEqual([`${name(B)} /ping`]);
    expect(shown.at(-1)).toBe(
      `*** Server ${name(A)} stopped answering; now on ${name(B)} (nickname (default), no room)`,
    );
  });
  it('takes the +OK to /nick and /join as proof they arrived, with no keepalive answered yet', () => {
    const client = harness([A]);
    client.advanceTo(0); // a keepalive goes out before anything is typed
    client.session.lineTyped('/nick alice');
    client.session.lineTyped('/join 3');
    client.arrive(A, "+OK Nickname set to 'alice'");
    client.arrive(A, '+OK You are now in chat room #3');
    client.advanceTo(3_000); // frozen: the keepalive is never answered
    client.drain();
    client.advanceTo(4_000);
    client.arrive(A, '-ERR Unknown command /ping');

    expect(client.drain()).toEqual({
      sent: [`${name(A)} /ping`, `${name(A)} /nick alice`, `${name(A)} /join 3`],
      shown: [`*** Server ${name(A)} answers again (nickname alice, room #3)`],
    });
  });
});

describe('FailoverSession with one server', () => {
  it('says the server stopped answering, keeps trying, and says when it answers again', () => {
    const client = aliceInRoom3([A]);
    client.advanceTo(3_000);
    expect(client.drain().shown).toEqual([
      `*** Server ${name(A)} stopped answering; trying again every second (what you type is sent when it answers)`,
    ]);
    expect(client.session.lineTyped('typed while it was away')).toBe('queued');
    client.advanceTo(6_000);
    expect(client.drain().sent).toEqual([
      `${name(A)} /ping`,
      `${name(A)} /ping`,
      `${name(A)} /ping`,
    ]);

    // It was only frozen: it answers every ping it queued (two keepalives and four probes), and
    // still has alice in room #3.
    client.arrive(A, '-ERR Unknown command /ping');
    expect(client.drain()).toEqual({
      sent: [`${name(A)} /nick alice`, `${name(A)} /join 3`, `${name(A)} typed while it was away`],
      shown: [
        `*** Server ${name(A)} answers again (nickname alice, room #3); sent 1 line it may have missed or typed meanwhile`,
      ],
    });
    for (let i = 0; i < 5; i++) client.arrive(A, '-ERR Unknown command /ping');
    client.arrive(A, "+OK Nickname set to 'alice'");
    client.arrive(A, '-ERR You are already in room #3');
    expect(client.drain().shown).toEqual([]);
  });

  it('lets only a keepalive confirm a line sent again to the same server (a late reply may answer its first copy)', () => {
    const client = harness([A]);
    client.session.lineTyped('/nick bob');
    client.arrive(A, "+OK Nickname set to 'bob'");
    client.session.lineTyped('/nick alice'); // the server takes it, then freezes
    client.advanceTo(3_000);
    client.drain();
    client.advanceTo(4_000);
    client.arrive(A, '-ERR Unknown command /ping'); // it answers again: /nick alice is sent again
    const commands = (sent: string[]) => sent.filter((line) => !line.endsWith('/ping'));
    expect(commands(client.drain().sent)).toEqual([
      `${name(A)} /nick bob`,
      `${name(A)} /nick alice`,
    ]);
    client.arrive(A, "+OK Nickname set to 'alice'"); // the first copy's reply, late

    // The copy sent again is still unconfirmed: lost again, the client sends it once more.
    client.advanceTo(7_000);
    client.drain();
    client.advanceTo(8_000);
    client.arrive(A, '-ERR Unknown command /ping');
    expect(commands(client.drain().sent)).toEqual([
      `${name(A)} /nick alice`,
      `${name(A)} /nick alice`,
    ]);
  });

  it('says a server that never answered does not answer', () => {
    const client = harness([A]);
    client.advanceTo(3_000);

    expect(client.drain().shown).toEqual([
      `*** Server ${name(A)} does not answer; trying again every second (what you type is sent when it answers)`,
    ]);
  });
});

describe('FailoverSession deadlines and quitting', () => {
  it('wakes for the next keepalive or the silence limit, whichever is first', () => {
    const client = harness([A]);
    expect(client.session.nextDeadline()).toBe(1_000);
    client.advanceTo(1_000);
    expect(client.session.nextDeadline()).toBe(2_000);
    client.arrive(A, '-ERR Unknown command /ping');
    expect(client.session.nextDeadline()).toBe(2_000);
    client.advanceTo(2_500);
    client.arrive(A, '<bob> hi');
    expect(client.session.nextDeadline()).toBe(3_500);
  });

  it('sends /quit once, to the current server, and then has nothing more to do', () => {
    const client = harness([A, B]);
    expect(client.session.lineTyped('/quit')).toBe('quit');
    client.session.quit();

    expect(client.drain().sent).toEqual([`${name(A)} /quit`]);
    expect(client.session.nextDeadline()).toBeUndefined();
  });

  it('refuses a line too long for one datagram', () => {
    const client = harness([A]);
    expect(client.session.lineTyped('é'.repeat(40_000))).toBe('too-long');
    expect(client.drain().sent).toEqual([]);
  });
});
