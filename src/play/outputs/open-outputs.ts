/**
 * The outputs a command line asks for (`--notify URL`, `--prometheus-rw URL`, `--grafana URL`), checked before anything
 * runs: a URL that is not http(s) is bad input, not a failed post at the end of a night.
 */
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { notifyOutput, type NotifyOn } from './notify.js';
import { prometheusOutput } from './prometheus/prometheus-output.js';
import type { RunOutput } from './run-output.js';

export interface OutputOptions {
  notify?: string;
  notifyOn?: NotifyOn;
  prometheusRw?: string;
  quiet?: boolean;
  output?: string;
}

function checkedUrl(option: string, value: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InputError(
      `${option} ${value.replace(/\/\/[^/]*@/, '//[redacted]@')}: expected an http:// or https:// URL`,
      [],
      `e.g. ${option} ${example}`,
    );
  return value;
}

export function openOutputs(options: OutputOptions, io: CliIo, chaosVersion: string): RunOutput[] {
  const human = options.output !== 'json' && !options.quiet;
  const log = { info: (text: string) => (human ? io.out(text) : undefined), warn: (text: string) => io.err(text) };
  const outputs: RunOutput[] = [];
  if (options.notify !== undefined)
    outputs.push(
      notifyOutput(
        {
          url: checkedUrl('--notify', options.notify, 'https://hooks.slack.com/services/…'),
          on: options.notifyOn ?? 'failure',
        },
        log,
      ),
    );
  else if (options.notifyOn !== undefined)
    throw new InputError(
      '--notify-on needs --notify URL',
      [],
      'e.g. --notify https://hooks.slack.com/… --notify-on always',
    );
  if (options.prometheusRw !== undefined) {
    const url = checkedUrl('--prometheus-rw', options.prometheusRw, 'http://prometheus:9090/api/v1/write');
    outputs.push(prometheusOutput({ url, chaosVersion }, log));
  }
  return outputs;
}
