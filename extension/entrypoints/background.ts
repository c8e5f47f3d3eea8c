export default defineBackground(() => {
  // Wired up by the extension core: session machine, host port, persistence queue.
});
