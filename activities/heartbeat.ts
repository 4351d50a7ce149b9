// A provider write is one long await; heartbeating while it runs lets Temporal notice a dead worker within the
// heartbeat timeout and retry elsewhere, instead of waiting out the whole start-to-close timeout.
import { Context } from '@temporalio/activity';

export async function heartbeatWhile<T>(work: Promise<T>, everyMs = 2000): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work; // called outside an activity (a direct call in a test or a script)
  }
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
