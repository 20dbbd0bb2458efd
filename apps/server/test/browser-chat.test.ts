/**
 * The chat page and the dashboard in a real browser (Debian's headless Chromium, driven by
 * playwright-core) against real servers on loopback. Screenshots land in test-artifacts/.
 */
import type { OrderingMode } from '@chat/ordering';
import { escapeControlCharacters } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, saveScreenshot } from './fixtures/browser.js';
import { ChatPageDriver } from './fixtures/chat-page-driver.js';
import { WebCluster } from './fixtures/web-cluster.js';

const WAIT_MS_MAX = 20_000;
const PHONE = { width: 390, height: 780 };

/** One browser for the file (each page still gets its own context): launching one takes seconds. */
let browser: TestBrowser;
beforeAll(async () => {
  browser = await TestBrowser.launch();
});
afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
});

describe.each<OrderingMode>(['unordered', 'fifo', 'total'])('chat page, %s order', (mode) => {
  it('two browser users on two servers and a UDP client chat in one room', async () => {
    await using web = await WebCluster.start({ servers: 2, mode });
    const alice = new ChatPageDriver(await browser.page(web.url(1)));
    const bob = new ChatPageDriver(await browser.page(web.url(2)));
    await alice.waitConnected(1);
    await bob.waitConnected(2);
    await alice.join('alice', 4);
    await bob.join('bob', 4);
    await using carol = await web.cluster.client(2);
    expect(await carol.request('/nick carol')).toBe("+OK Nickname set to 'carol'");
    expect(await carol.request('/join 4')).toBe('+OK You are now in chat room #4');

    await alice.post('hello from alice, 1');
    await bob.post('hello from bob');
    carol.send('hello from carol');
    await alice.post('hello from alice, 2');
    const expected = [
      '<alice> hello from alice, 1',
      '<alice> hello from alice, 2',
      '<bob> hello from bob',
      '<carol> hello from carol',
    ];
    const seenByCarol = await carol.collect(4, WAIT_MS_MAX);
    const seenByAlice = await alice.waitForPosts(4);
    const seenByBob = await bob.waitForPosts(4);
    for (const seen of [seenByCarol, seenByAlice, seenByBob]) {
      expect([...seen].sort()).toEqual(expected);
      // One sender's lines in the order it sent them (FIFO holds in every mode on one link here,
      // and is guaranteed in fifo and total).
      if (mode !== 'unordered') {
        expect(seen.indexOf('<alice> hello from alice, 1')).toBeLessThan(
          seen.indexOf('<alice> hello from alice, 2'),
        );
      }
    }
    if (mode === 'total') {
      expect(seenByAlice).toEqual(seenByCarol);
      expect(seenByBob).toEqual(seenByCarol);
    }
    // The page shows the server it is on and the servers that are up.
    await expect
      .poll(() => alice.page.locator('#servers li[data-state="up"]').count(), {
        timeout: WAIT_MS_MAX,
      })
      .toBe(2);
    expect(await alice.page.locator('#servers li[aria-current="true"]').textContent()).toBe(
      'S01 up (you)',
    );
    if (mode === 'total') {
      console.log(`screenshot: ${await saveScreenshot(alice.page, 'chat-desktop')}`);
      await bob.page.setViewportSize(PHONE);
      // At phone width nothing sticks out sideways.
      expect(await bob.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        PHONE.width,
      );
      console.log(`screenshot: ${await saveScreenshot(bob.page, 'chat-phone')}`);
    }
  });
});

describe('chat page', () => {
  it('shows markup, hostile nicknames and terminal escapes as inert text; switches and leaves rooms', async () => {
    await using web = await WebCluster.start({ servers: 1 });
    const alice = new ChatPageDriver(await browser.page(web.url(1)));
    await alice.waitConnected(1);
    await using mallory = await web.cluster.client(1);
    await mallory.request('/nick &lt;b&gt;mallory&amp;');
    await mallory.request('/join 2');

    // A nickname with markup is refused by the protocol; the refusal itself is shown as text.
    const tagNick = '<img src=x onerror=window.__pwned=1>';
    await alice.page.locator('#nick').fill(tagNick);
    await alice.page.locator('#join').click();
    await alice.waitForLine("-ERR Nickname must not contain '<' or '>'");
    await alice.join('"al\'ice"&amp;', 2);

    const markup =
      '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script><b>bold</b>';
    await alice.post(markup);
    const expectedMarkup = `<"al'ice"&amp;> ${markup}`;
    // Only once the page shows its post does mallory post: the server has sent it to both by then.
    await alice.waitForLine(expectedMarkup);
    const ansi = '\x1b[31mred\x1b[0m \x07bell \u009b2J <i>i</i>';
    mallory.send(ansi);
    const expectedAnsi = `<&lt;b&gt;mallory&amp;> ${escapeControlCharacters(ansi)}`;
    await alice.waitForLine(expectedAnsi);
    // Exactly what the terminal client prints (it escapes what it receives the same way).
    expect(await mallory.collect(2)).toEqual(
      [expectedMarkup, expectedAnsi].map(escapeControlCharacters),
    );

    // Inside the log, only the page's own elements: one li per line and a span per nickname.
    const created = await alice.page.evaluate(`({
      pwned: window.__pwned ?? null,
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('body script').length,
      foreign: document.querySelectorAll('#lines :not(li):not(span.nick)').length,
    })`);
    expect(created).toEqual({ pwned: null, images: 0, scripts: 0, foreign: 0 });
    expect(expectedAnsi).toContain('\\x1b[31mred');
    console.log(`screenshot: ${await saveScreenshot(alice.page, 'chat-injection')}`);

    // Switching rooms leaves the old one first; Leave room (from the keyboard) leaves the new one.
    const before = (await alice.lines()).length;
    await alice.join('"al\'ice"&amp;', 3);
    expect((await alice.lines()).slice(before)).toEqual([
      '+OK You have left chat room #2',
      '+OK You are now in chat room #3',
    ]);
    mallory.send('only room 2 hears this');
    expect(await mallory.nextDatagram()).toBe('<&lt;b&gt;mallory&amp;> only room 2 hears this');
    await alice.page.locator('#part').focus();
    await alice.page.keyboard.press('Enter');
    await alice.waitForLine('+OK You have left chat room #3', before);
    expect(await alice.posts()).not.toContain('<&lt;b&gt;mallory&amp;> only room 2 hears this');
    expect(await alice.page.locator('#part').isDisabled()).toBe(true);
  });
});
