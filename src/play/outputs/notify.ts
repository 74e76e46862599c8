/**
 * `--notify URL`: a Slack-compatible chat message when a run ends (alone) or a suite or batch ends
 * (one message for the whole suite), by default only when it did not pass (`--notify-on always`
 * for every end). A post that fails is logged with the receiver's origin only (a webhook URL's
 * path is its secret) and changes nothing else.
 */
import {
  brokenRunNotification,
  runNotification,
  suiteNotification,
  type ChatMessage,
} from '../../report/render-notification.js';
import { originOf, sendJson } from '../../system/http-send.js';
import type { RunOutput } from './run-output.js';

export type NotifyOn = 'failure' | 'always';

export function notifyOutput(
  target: { url: string; on: NotifyOn },
  log: { info(text: string): void; warn(text: string): void },
): RunOutput {
  const post = async (message: ChatMessage) => {
    const answer = await sendJson({ method: 'POST', url: target.url, body: message });
    if (answer.ok) log.info(`notification sent to ${originOf(target.url)}`);
    else log.warn(`chaos: notification not sent (the run's outcome is unchanged): ${answer.error}`);
  };
  const wanted = (exitCode: number) => target.on === 'always' || exitCode !== 0;
  return {
    runConcluded: async (run) => {
      if (!run.inSuite && wanted(run.exitCode)) await post(runNotification(run.result, run.where));
    },
    runBroken: async (run) => {
      if (run.inSuite || !wanted(run.exitCode)) return;
      await post(brokenRunNotification({ kind: 'error', ...run }));
    },
    suiteConcluded: async (suite) => {
      if (wanted(suite.exitCode)) await post(suiteNotification(suite, suite.runs));
    },
  };
}
