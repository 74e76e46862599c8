/**
 * Options shared by several commands, shaped so options and arguments go in any order:
 * `--phase` takes one value and repeats (a variadic option would swallow the scenario after it),
 * and `--output` accepts only the formats there are.
 */
import { Option } from 'commander';

const outputFormats = ['text', 'json'] as const;

export function outputOption(description = 'text, or json (a versioned document on stdout, errors included)'): Option {
  return new Option('--output <format>', description).choices(outputFormats).default('text');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function phaseOption(description: string): Option {
  return new Option(
    '--phase <name=duration>',
    `${description} (repeatable: --phase fault=20s --phase recovery=10s)`,
  ).argParser(collect);
}

/** Whether the command line asks for JSON, read before commander parses it: errors in parsing answer in JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg, index) => arg === '--output=json' || (arg === '--output' && argv[index + 1] === 'json'));
}

/** `--grafana URL` and its companions (run, gameday): the token never on the command line. */
export function grafanaOptions(): Option[] {
  return [
    new Option(
      '--grafana <url>',
      "post the run's events as Grafana annotations (token in CHAOS_GRAFANA_TOKEN or --grafana-token-file; docs/grafana.md)",
    ),
    new Option('--grafana-token-file <file>', 'a file holding the Grafana service account token'),
    new Option(
      '--grafana-dashboard <uid>',
      'tie the annotations to this dashboard (default: organization annotations)',
    ),
  ];
}
