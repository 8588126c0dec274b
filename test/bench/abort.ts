/**
 * A bench ends cleanly however it ends: Ctrl-C, a kill, or running past its own deadline. Either way its
 * cleanup (children killed, databases dropped) runs before the process exits, and `aborting` tells the
 * main flow that the errors it now sees are the echo of that, not a failure to report.
 */
export function cleanUpOnAbort(cleanup: () => Promise<unknown>, deadlineMs: number, deadlineText: string): { readonly aborting: boolean } {
  const state = { aborting: false };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      state.aborting = true;
      console.error(`\n${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const deadline = setTimeout(() => {
    state.aborting = true;
    console.error(`\nbench exceeded its global deadline of ${deadlineText}: cleaning up`);
    void cleanup().finally(() => process.exit(1));
  }, deadlineMs);
  deadline.unref();
  return state;
}
