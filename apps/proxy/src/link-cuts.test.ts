import { describe, expect, it } from 'vitest';
import { LinkCuts } from './link-cuts.js';

describe('LinkCuts', () => {
  it('cuts links one direction at a time', () => {
    const cuts = new LinkCuts();

    cuts.cut([{ from: 0, to: 2 }]);

    expect(cuts.isCut(0, 2)).toBe(true);
    expect(cuts.isCut(2, 0)).toBe(false);
    expect(cuts.isCut(0, 1)).toBe(false);
  });

  it('adds cuts up, heals some or all, and lists them by sender then receiver', () => {
    const cuts = new LinkCuts();
    cuts.cut([
      { from: 4, to: 0 },
      { from: 0, to: 3 },
    ]);
    cuts.cut([
      { from: 0, to: 2 },
      { from: 0, to: 3 },
    ]);

    expect(cuts.list()).toEqual([
      { from: 0, to: 2 },
      { from: 0, to: 3 },
      { from: 4, to: 0 },
    ]);
    cuts.heal([{ from: 0, to: 3 }]);
    expect(cuts.size).toBe(2);
    expect(cuts.isCut(0, 3)).toBe(false);
    cuts.healAll();
    expect(cuts.list()).toEqual([]);
    expect(cuts.isCut(4, 0)).toBe(false);
  });

  it('tells apart servers with large indexes', () => {
    const cuts = new LinkCuts();
    cuts.cut([{ from: 300, to: 1 }]);

    expect(cuts.isCut(300, 1)).toBe(true);
    expect(cuts.isCut(1, 300)).toBe(false);
    expect(cuts.list()).toEqual([{ from: 300, to: 1 }]);
  });
});
