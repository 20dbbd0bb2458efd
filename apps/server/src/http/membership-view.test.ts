import { describe, expect, it } from 'vitest';
import { viewOf } from './membership-view.js';

describe('viewOf', () => {
  it('is undefined for a server without a membership layer', () => {
    expect(viewOf({ stats: () => ({}) })).toBeUndefined();
  });

  it('reads the view of a server that has one, called on the server', () => {
    const server = {
      current: { id: 4, members: [1, 3], primary: true },
      view(): unknown {
        return this.current;
      },
    };
    expect(viewOf(server)).toEqual({ id: 4, members: [1, 3], primary: true });
  });
});
