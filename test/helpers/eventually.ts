// Polling for state that settles asynchronously, bounded by time rather than by a count of reads, so a loaded machine
// (slower reads) gets the same budget as an idle one.

/** Reads until `pred` holds, every `intervalMs`, for up to `timeoutMs`; then throws naming `what` and the last value. */
export async function eventually<T>(
  read: () => Promise<T> | T,
  pred: (t: T) => boolean,
  what: string,
  { timeoutMs = 20_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (pred(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last read: ${JSON.stringify(value)?.slice(0, 500)}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
