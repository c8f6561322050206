import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeAll, vi } from 'vitest';
import { initI18n } from '@/lib/i18n';
import { resetPreferencesForTests } from '@/lib/preferences';

// antd's ids (rc-component's useId) are all "test-id" under NODE_ENV=test, so every
// aria-labelledby would point at the first of them; real ids name dialogs as a user hears them.
process.env.NODE_ENV = 'development';

// antd's first render in jsdom is slow on a busy 2-core machine.
configure({ asyncUtilTimeout: 4000 });

// What jsdom lacks and antd uses.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}
if (!('ResizeObserver' in window)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', { writable: true, value: ResizeObserverStub });
}
// jsdom's getComputedStyle does not take a pseudo-element; antd asks for one.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => getComputedStyle(element);

beforeAll(async () => {
  await initI18n('en');
});

afterEach(async () => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  resetPreferencesForTests();
  window.localStorage.clear();
  const { i18n } = await import('@/lib/i18n');
  if (i18n.language !== 'en') await i18n.changeLanguage('en');
});
