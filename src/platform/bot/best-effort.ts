/**
 * For edits that may fail without harm (the message is too old, unchanged, or a press came without
 * its message). telegraf throws synchronously when the press has no message, which `.catch()` on the
 * returned promise would not catch.
 */
export async function bestEffort(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch {
    // nothing to do: the edit was a courtesy
  }
}
