// Everything a run starts is stopped again, also on failure, Ctrl+C or a hang. Each step registers
// its undo with defer(); close() runs them newest first, each within 30 s, every one even when an
// earlier one fails. A signal or the watchdog aborts the load in progress (the measurements watch
// `signal`) so that the undo can run; a second signal kills what is still running and exits at once.
import { sleep } from './http.mjs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function createLifecycle({ watchdogMs }) {
  const undo = [];
  /** Processes to SIGKILL on a second signal; services among them have a log to show on failure. */
  const live = new Set();
  const controller = new AbortController();
  let reason;
  let interrupted;
  const abort = (why) => {
    reason ??= why;
    controller.abort();
  };
  for (const sig of SIGNALS) {
    process.on(sig, () => {
      if (interrupted) killAll(live);
      interrupted = sig;
      console.error(`\n${sig}: stopping the load and everything the benchmark started...`);
      abort(`interrupted (${sig})`);
    });
  }
  const watchdog = setTimeout(
    () => abort(`the run took longer than ${watchdogMs / 60_000} minutes`),
    watchdogMs,
  );
  watchdog.unref();

  return {
    signal: controller.signal,
    abort,
    checkAborted() {
      if (controller.signal.aborted) throw new Error(reason ?? 'aborted');
    },
    defer(name, fn) {
      undo.push({ name, fn });
    },
    /** `proc` ({ pid, name?, logTail? }) is running; the function returned says it no longer is. */
    track(proc) {
      live.add(proc);
      return () => live.delete(proc);
    },
    /** Runs `body`; resolves with the exit code, a failure added to `failures`. */
    async run(body, failures) {
      try {
        await body();
        return 0;
      } catch (err) {
        const aborted = controller.signal.aborted;
        const message = aborted ? reason : err.message;
        if (!failures.includes(message)) failures.push(message);
        if (!aborted) console.error(err.plain ? `\n${err.message}` : err.stack);
        if (interrupted) return interrupted === 'SIGTERM' ? 143 : 130;
        // The services' last lines, before their folder is removed.
        for (const p of live) {
          if (p.logTail) console.error(`\n--- last lines of ${p.name} ---\n${p.logTail(40)}`);
        }
        return 1;
      }
    },
    /** Undoes every step; resolves with what failed, as lines of the report. */
    async close() {
      const errors = [];
      for (const { name, fn } of undo.splice(0).reverse()) {
        try {
          await Promise.race([
            fn(),
            sleep(30_000).then(() => Promise.reject(new Error('did not finish in 30 s'))),
          ]);
        } catch (err) {
          errors.push(`cleanup (${name}): ${err.message}`);
        }
      }
      clearTimeout(watchdog);
      return errors;
    },
  };
}

function killAll(processes) {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(130);
}
