import { describe, expect, it } from 'vitest';
import { isInteractiveTarget, isTypingTarget } from './keyboard';

function element(html: string): HTMLElement {
  document.body.innerHTML = html;
  return document.body.querySelector('[data-target]') as HTMLElement;
}

describe('keyboard targets', () => {
  it('tells typing from other keys', () => {
    expect(isTypingTarget(element('<input data-target type="search">'))).toBe(true);
    expect(isTypingTarget(element('<input data-target type="number">'))).toBe(true);
    expect(isTypingTarget(element('<textarea data-target></textarea>'))).toBe(true);
    expect(isTypingTarget(element('<input data-target type="radio">'))).toBe(false);
    expect(isTypingTarget(element('<input data-target type="checkbox">'))).toBe(false);
    expect(isTypingTarget(element('<button data-target>x</button>'))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
  });

  it('leaves Enter and the arrows to controls', () => {
    expect(isInteractiveTarget(element('<input data-target type="radio">'))).toBe(true);
    expect(isInteractiveTarget(element('<button data-target>x</button>'))).toBe(true);
    expect(isInteractiveTarget(element('<table><tr><th data-target tabindex="0">Ordered</th></tr></table>'))).toBe(true);
    expect(isInteractiveTarget(element('<div data-target tabindex="0" role="region">rows</div>'))).toBe(false);
    expect(isInteractiveTarget(document.body)).toBe(false);
  });
});
