/**
 * Which lines k6 prints are worth a person's attention. k6 logs its own stop at level=error
 * ("test run was aborted because k6 received a 'interrupt' signal") even when the harness sent
 * that signal as planned at the end of a run; read as a warning at the end of every passing run,
 * it is noise that teaches people to ignore k6's warnings. So that one line is dropped when the
 * harness asked k6 to stop (the run's `k6 stopped` event says it); every other line — and that
 * line when nobody here asked for the stop — still goes through.
 */

/**
 * k6's notice of a stop by signal; Go names SIGINT "interrupt" and SIGTERM "terminated": in k6's
 * logfmt (msg="…") or as the bare message (--log-format=raw).
 */
const stopNotice = /^(?:.*msg=")?test run was aborted because k6 received a '(interrupt|terminated)' signal"?$/;

export function isK6LineShown(line: string, stopRequested: boolean): boolean {
  if (!line.trim()) return false;
  return !(stopRequested && stopNotice.test(line));
}
