import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  // Accessibility warnings fail `npm run check`, which runs with --fail-on-warnings.
};
