import { describe, expect, test } from 'vitest';
import { WindowNews } from './window-news.js';

describe('WindowNews', () => {
  test('a writer is due once half its post window is delivered here and untold', () => {
    const news = new WindowNews(4, 64);
    expect(news.isDue(2, 31)).toBe(false);
    expect(news.isDue(2, 32)).toBe(true);
    news.told(2, 32);
    expect(news.isDue(2, 63)).toBe(false);
    expect(news.isDue(2, 64)).toBe(true);
    expect(news.isDue(3, 31)).toBe(false);
  });

  test('or once half its window of posts has had its order made stable, untold', () => {
    const news = new WindowNews(4, 64);
    news.stable(2, 20);
    expect(news.isDue(2, 0)).toBe(false);
    news.stable(2, 12);
    expect(news.isDue(2, 0)).toBe(true);
    news.told(2, 0);
    expect(news.isDue(2, 0)).toBe(false);
  });

  test('with a window of one, every post is news', () => {
    const news = new WindowNews(4, 1);
    expect(news.isDue(2, 0)).toBe(false);
    expect(news.isDue(2, 1)).toBe(true);
  });
});
