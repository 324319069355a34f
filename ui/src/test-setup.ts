import '@testing-library/jest-dom/vitest';

// jsdom has no layout, so it has no ResizeObserver; Svelte's bind:clientHeight needs one.
class NoLayoutResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoLayoutResizeObserver;
