// Turns of the event loop for CPU work that arrives in bursts (jobs encoded as proofs come back,
// txs re-executed across blocks, a start's steps). `await setImmediate()` alone does not bound a
// stall: every immediate queued before the check phase runs in that one phase, so a hundred
// waiters resume back to back while timers and I/O wait; and work that yields from an I/O callback
// resumes in the same iteration's check phase, before any timer. Here waiters resume one per loop
// iteration, in order, each after a timers phase.
const waiting: (() => void)[] = [];
let scheduled = false;

function next(): void {
  scheduled = false;
  waiting.shift()?.();
  // queued from inside the check phase, so it runs in the next iteration, after timers and I/O
  if (waiting.length > 0) {
    scheduled = true;
    setImmediate(next);
  }
}

/** Resolves in a later turn of the event loop than any other waiter's, after timers and I/O had theirs. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      // the outer immediate may run in this very iteration (yielding from I/O); the inner one, queued
      // from the check phase, only in the next, after its timers
      setImmediate(() => setImmediate(next));
    }
  });
}
