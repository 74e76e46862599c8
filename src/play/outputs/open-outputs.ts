/**
 * The outputs a command line asks for (`--notify URL`, `--prometheus-rw URL`, `--grafana URL`), checked before anything
 * runs: a URL that is not http(s) is bad input, not a failed post at the end of a night.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { grafanaOutput } from './grafana.js';
import { notifyOutput, type NotifyOn } from './notify.js';
import { prometheusOutput } from './prometheus/prometheus-output.js';
import type { RunOutput } from './run-output.js';

export interface OutputOptions {
  notify?: string;
  notifyOn?: NotifyOn;
  prometheusRw?: string;
  /** Grafana's base URL; the token comes from CHAOS_GRAFANA_TOKEN or `grafanaTokenFile`. */
  grafana?: string;
  grafanaTokenFile?: string;
  grafanaDashboard?: string;
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
  if (options.grafana !== undefined) outputs.push(grafanaOutput(grafanaTarget(options, io), log));
  else if (options.grafanaTokenFile !== undefined || options.grafanaDashboard !== undefined)
    throw new InputError(
      `${options.grafanaTokenFile !== undefined ? '--grafana-token-file' : '--grafana-dashboard'} needs --grafana URL`,
      [],
      'e.g. --grafana https://grafana.example.com --grafana-token-file /var/run/secrets/grafana/token',
    );
  return outputs;
}

const grafanaTokenVariable = 'CHAOS_GRAFANA_TOKEN';

/**
 * The URL, checked, and the token: from a file (`--grafana-token-file`) or the environment,
 * never from the command line (a URL with user:password in it is refused). Once read, the
 * variable leaves this process's environment, so no child (k6, kubectl) inherits it.
 */
function grafanaTarget(options: OutputOptions, io: CliIo) {
  const url = checkedUrl('--grafana', options.grafana!, 'https://grafana.example.com');
  const parsed = new URL(url);
  if (parsed.username || parsed.password)
    throw new InputError(
      '--grafana: the URL carries credentials; they would be on the command line and in the process list',
      [],
      `give the service account token in ${grafanaTokenVariable} or a file (--grafana-token-file)`,
    );
  const token = options.grafanaTokenFile === undefined ? io.env[grafanaTokenVariable] : readToken(options, io);
  delete io.env[grafanaTokenVariable];
  if (!token)
    throw new InputError(
      `--grafana needs a service account token: set ${grafanaTokenVariable} or give --grafana-token-file`,
      [],
      `e.g. ${grafanaTokenVariable}=glsa_… chaos run frontend-zero --grafana ${parsed.origin}`,
    );
  return { url, token, ...(options.grafanaDashboard ? { dashboardUid: options.grafanaDashboard } : {}) };
}

function readToken(options: OutputOptions, io: CliIo): string {
  const file = path.resolve(io.cwd, options.grafanaTokenFile!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      `--grafana-token-file ${options.grafanaTokenFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      [],
      'a file holding the Grafana service account token, e.g. a mounted Kubernetes Secret',
    );
  }
  const token = text.trim();
  if (!token || /\s/.test(token))
    throw new InputError(
      `--grafana-token-file ${options.grafanaTokenFile}: expected one token (no spaces or line breaks), found ${token ? 'several words' : 'nothing'}`,
      [],
      'the file holds the token alone, as Grafana shows it when it creates one (glsa_…)',
    );
  return token;
}
