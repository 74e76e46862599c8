// Preloaded into the built CLI (node --import) by ways-out.test.ts: an event subscriber that throws from a
// timer, where nobody catches it, 100 ms after a fault is applied in the fault phase — to prove that an
// error nobody caught still reverts everything. Production code knows nothing of it: it only offers
// subscribeToRuns to whoever loads into the process.
const settings = new URL('../../dist/play/scenario-run/run-settings.js', import.meta.url);
const { subscribeToRuns } = await import(settings.href);
subscribeToRuns((event) => {
  if (event.type !== 'fault-applied' || event.phase !== 'fault') return;
  setTimeout(() => {
    throw new Error('injected by a test subscriber in the fault phase');
  }, 100);
});
