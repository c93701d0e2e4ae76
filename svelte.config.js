// Svelte options shared by Vite, svelte-check and eslint-plugin-svelte: runes everywhere.
export default {
  compilerOptions: { runes: true },
};
