/**
 * The chat page and the dashboard in a real browser (Debian's headless Chromium, driven by
 * playwright-core) against real servers on loopback. Screenshots land in test-artifacts/.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestBrowser, saveScreenshot } from './fixtures/browser.js';
import { ChatPageDriver } from './fixtures/chat-page-driver.js';
import { SERVER_MAIN, SpawnedProcess, waitUntilAnswering } from './fixtures/cluster.js';
import { pickFreePorts } from './fixtures/free-ports.js';
import { pickFreeTcpPorts } from './fixtures/free-tcp-ports.js';
import { TestClient } from './fixtures/test-client.js';
import { WebCluster, waitForHttp } from './fixtures/web-cluster.js';

const WAIT_MS_MAX = 20_000;

describe('chat page', () => {
  it('says when its server goes away and reconnects once it restarts', async () => {
    const [udpPort] = await pickFreePorts(1);
    const [httpPort] = await pickFreeTcpPorts(1);
    const directory = await mkdtemp(join(tmpdir(), 'chat-restart-'));
    await using cleanup = {
      [Symbol.asyncDispose]: () => rm(directory, { recursive: true, force: true }),
    };
    void cleanup;
    const config = join(directory, 'one.conf');
    await writeFile(config, `127.0.0.1:${udpPort}\n`);
    const http = `127.0.0.1:${httpPort}`;
    const args = [SERVER_MAIN, '--http', http, config, '1'];
    const start = async (): Promise<SpawnedProcess & AsyncDisposable> => {
      const server = SpawnedProcess.start('S1', args);
      await waitUntilAnswering({ host: '127.0.0.1', port: udpPort! }, [server]);
      await waitForHttp(`http://${http}`);
      return Object.assign(server, { [Symbol.asyncDispose]: () => server.stop() });
    };
    await using browser = await TestBrowser.launch();
    await using first = await start();
    const alice = new ChatPageDriver(await browser.page(`http://${http}/`));
    await alice.waitConnected(1);
    await alice.join('alice', 5);

    const linesBeforeStop = (await alice.lines()).length;
    await first.stop();
    await expect.poll(() => alice.status(), { timeout: WAIT_MS_MAX }).toMatch(/^Lost S01 \(/);
    expect(await alice.page.locator('#message').isDisabled()).toBe(true);

    await using second = await start();
    void second;
    await alice.waitConnected(1);
    // It restored its nickname and room (a UDP client's line in room 5 reaches it): only once the
    // restored /join is answered may bob post, or the page could miss it.
    await alice.waitForLine('+OK You are now in chat room #5', linesBeforeStop);
    await using bob = await TestClient.open({ host: '127.0.0.1', port: udpPort! });
    await bob.request('/nick bob');
    await bob.request('/join 5');
    bob.send('welcome back');
    await alice.waitForLine('<bob> welcome back');
    await alice.post('thanks');
    expect(await bob.collect(2)).toEqual(['<bob> welcome back', '<alice> thanks']);
  });
});

describe('dashboard', () => {
  it('shows every server live, a stopped one as down, while the page moves to a server that is up', async () => {
    await using web = await WebCluster.start({ servers: 3 });
    await using browser = await TestBrowser.launch();
    const dashboard = await browser.page(web.url(1, '/dashboard'), { width: 1600, height: 420 });
    const rowState = (index: number) =>
      dashboard.locator(`tr[data-server="${index}"]`).getAttribute('data-state');
    for (const index of [1, 2, 3]) {
      await expect.poll(() => rowState(index), { timeout: WAIT_MS_MAX }).toBe('up');
    }
    const bob = new ChatPageDriver(await browser.page(web.url(3)));
    await bob.waitConnected(3);
    await bob.join('bob', 2);
    await using carol = await web.cluster.client(1);
    await carol.request('/nick carol');
    await carol.request('/join 2');
    for (let i = 1; i <= 20; i++) carol.send(`line ${i}`);
    await bob.waitForLine('<carol> line 20');
    // The rates come from two polls a second apart: wait for a second poll with figures.
    const cell = (column: number) =>
      dashboard.locator('tr[data-server="1"] td').nth(column).textContent();
    // Clients: carol, at least (a client the fixture opened may still be counted: seen once as 2).
    await expect.poll(() => cell(3), { timeout: WAIT_MS_MAX }).toMatch(/^[1-9]\d*$/);
    await expect.poll(() => cell(5), { timeout: WAIT_MS_MAX }).toMatch(/^\d+$/); // Datagrams in/s
    console.log(`screenshot: ${await saveScreenshot(dashboard, 'dashboard-all-up')}`);

    const bobLinesBeforeStop = (await bob.lines()).length;
    await web.cluster.servers[2]!.stop();
    await expect.poll(() => rowState(3), { timeout: WAIT_MS_MAX }).toBe('down');
    // Polled: one health check slower than its timeout on a busy machine shows a row down a while.
    await expect.poll(() => rowState(1), { timeout: WAIT_MS_MAX }).toBe('up');
    await expect.poll(() => rowState(2), { timeout: WAIT_MS_MAX }).toBe('up');
    await expect
      .poll(() => dashboard.locator('#status').textContent(), { timeout: WAIT_MS_MAX })
      .toMatch(/^2 of 3 servers up/);
    console.log(`screenshot: ${await saveScreenshot(dashboard, 'dashboard-one-down')}`);

    // The chat page lost S03, said so, and went on at a server that is up (S01 or S02, whichever
    // answered its last health check), in the same room; carol posts once it is back in the room.
    await bob.waitConnected();
    expect(await bob.status()).not.toMatch(/^Connected to S03/);
    await bob.waitForLine('+OK You are now in chat room #2', bobLinesBeforeStop);
    carol.send('after the failover');
    await bob.waitForLine('<carol> after the failover');
    expect(await bob.page.locator('#servers li[data-server="3"]').getAttribute('data-state')).toBe(
      'down',
    );
    console.log(`screenshot: ${await saveScreenshot(bob.page, 'chat-after-failover')}`);
  });
});
