/**
 * Seeded fuzz over the three kinds of input file (scenario, environment, suite): every mutated
 * file is either accepted or refused with an InputError whose every issue names the file, a
 * line and a column. Anything else (a TypeError, a ReferenceError from the YAML library, an
 * InputError with an unlocated issue) is the "internal error" a user must never see.
 * In-process against the same functions the CLI calls, so 10,000+ cases stay fast.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/errors/errors.js';
import { validateEnvironment } from '../../src/environment/validate-environment.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { checkScenario } from '../../src/play/load-inputs.js';
import { validateSuite } from '../../src/play/suite/read-suite.js';
import { seededRandom as random } from '../../src/system/random.js';

const root = path.resolve(import.meta.dirname, '../..');
const seed = Number(process.env.FUZZ_SEED ?? 20261130);
const casesPerKind = Number(process.env.FUZZ_CASES_PER_KIND ?? 3400);

type Kind = 'scenario' | 'environment' | 'suite';
const seeds: Record<Kind, string[]> = {
  scenario: ['frontend-zero', 'istio-delay', 'drain-central', 'pod-kill-frontend', 'istio-abort'].map((name) =>
    readFileSync(path.join(root, 'scenarios', `${name}.yaml`), 'utf8'),
  ),
  environment: [readFileSync(path.join(root, 'environments/bank-of-anthos-gke.yaml'), 'utf8')],
  suite: [
    readFileSync(path.join(root, 'suites/nightly.yaml'), 'utf8'),
    'version: 1\nname: short\ndescription: two\nscenarios:\n  - scenario: frontend-zero\n    phases: {fault: 20s}\n    environment: lab\n  - istio-delay\n',
  ],
};

const tokens = [
  '*nope',
  '&a',
  '*a',
  '&a [1, 2]',
  '!!binary',
  '!!int',
  '!!map',
  '!!seq',
  '!!str',
  '!foo',
  '!!timestamp',
  '{',
  '}',
  '[',
  ']',
  ':',
  ': ',
  '- ',
  '? ',
  '\t',
  '"',
  "'",
  '|',
  '>-',
  '#',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  '<<: *a',
  '~',
  'null',
  '-1',
  '0',
  '1e999',
  '-0',
  '0x1F',
  '.nan',
  '.inf',
  'true',
  'no',
  '99999999999999999999',
  '""',
  '[]',
  '{}',
  '20s',
  '-5s',
  '0s',
  '1h',
  'p(99)<',
  'rate<2',
  'é',
  '\u0000',
  '\uFEFF',
  '@',
  '`',
  '%',
  '\n',
  '  ',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'central',
  'west',
  'lab',
  'frontend',
];
const keys = [
  'version',
  'name',
  'description',
  'environment',
  'load',
  'rate',
  'paths',
  'phases',
  'faults',
  'budgets',
  'abort',
  'type',
  'cluster',
  'replicas',
  'clusters',
  'context',
  'ingress',
  'service',
  'url',
  'scenarios',
  'settle',
  'onFailure',
  'steps',
  'expect',
  '__proto__',
  'constructor',
  'http_req_failed',
  'all',
  'fault',
];
/** An alias bomb: each level multiplies the one before; the YAML library must refuse it. */
const aliasBomb =
  'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

function mutate(text: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const at = (length: number) => Math.floor(next() * (length + 1));
  let lines = text.split('\n');
  const rounds = 1 + Math.floor(next() * 4);
  for (let round = 0; round < rounds; round += 1) {
    const line = Math.floor(next() * lines.length);
    const current = lines[line] ?? '';
    switch (Math.floor(next() * 9)) {
      case 0: {
        const start = at(current.length);
        lines[line] = current.slice(0, start) + current.slice(start + 1 + Math.floor(next() * 8));
        break;
      }
      case 1: {
        const start = at(current.length);
        lines[line] = current.slice(0, start) + pick(tokens) + current.slice(start);
        break;
      }
      case 2: {
        const colon = current.indexOf(': ');
        lines[line] = colon >= 0 ? `${current.slice(0, colon + 2)}${pick(tokens)}` : `${current}: ${pick(tokens)}`;
        break;
      }
      case 3: {
        const colon = current.indexOf(':');
        const indent = /^\s*(- )?/.exec(current)?.[0] ?? '';
        lines[line] = colon >= 0 ? `${indent}${pick(keys)}${current.slice(colon)}` : `${indent}${pick(keys)}: x`;
        break;
      }
      case 4:
        lines.splice(line, 0, current);
        break;
      case 5:
        lines.splice(line, 1);
        break;
      case 6:
        lines[line] = ' '.repeat(Math.floor(next() * 6)) + current.trimStart();
        break;
      case 7:
        lines.splice(line, 0, `${pick(keys)}: ${pick(tokens)}`);
        break;
      default:
        lines = next() < 0.5 ? [...aliasBomb.split('\n'), ...lines] : [`x: ${pick(['*nope', '*b', '&b y'])}`, ...lines];
    }
  }
  return lines.join('\n');
}

const validators: Record<Kind, (file: string, text: string) => void> = {
  scenario: (file, text) => {
    checkScenario(parseYamlSource(file, text), undefined, root);
  },
  environment: (file, text) => {
    validateEnvironment(parseYamlSource(file, text));
  },
  suite: (file, text) => {
    validateSuite(parseYamlSource(file, text), { cwd: root, dir: path.join(root, 'suites') });
  },
};

interface Outcome {
  accepted: number;
  refused: number;
  internal: { text: string; error: string }[];
  unlocated: { text: string; issue: string }[];
}

function fuzz(kind: Kind): Outcome {
  const next = random(seed + kind.length);
  const outcome: Outcome = { accepted: 0, refused: 0, internal: [], unlocated: [] };
  const file = `fuzz/${kind}.yaml`;
  for (let index = 0; index < casesPerKind; index += 1) {
    const text = mutate(seeds[kind][Math.floor(next() * seeds[kind].length)]!, next);
    try {
      validators[kind](file, text);
      outcome.accepted += 1;
    } catch (error) {
      if (!(error instanceof InputError)) {
        outcome.internal.push({ text, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        continue;
      }
      outcome.refused += 1;
      if (error.issues.length === 0) outcome.unlocated.push({ text, issue: `(no issues) ${error.message}` });
      for (const issue of error.issues) {
        const located =
          issue.file === file &&
          Number.isInteger(issue.line) &&
          issue.line >= 1 &&
          Number.isInteger(issue.column) &&
          issue.column >= 1 &&
          issue.message.length > 0;
        if (!located) outcome.unlocated.push({ text, issue: JSON.stringify(issue) });
      }
    }
  }
  return outcome;
}

describe(`fuzzed input files (seed ${seed}, ${casesPerKind} cases per kind)`, () => {
  const warn = process.emitWarning;
  // The YAML library warns on process for keys it must stringify; that is noise here, not a finding.
  before(() => {
    process.emitWarning = () => undefined;
  });
  after(() => {
    process.emitWarning = warn;
  });

  for (const kind of ['scenario', 'environment', 'suite'] as const) {
    it(`every mutated ${kind} file is accepted or refused with located input errors, never an internal error`, function () {
      this.timeout(120_000);
      const outcome = fuzz(kind);
      const sample = (items: { text: string }[]) =>
        items.slice(0, 3).map((item) => ({ ...item, text: item.text.slice(0, 400) }));
      expect(sample(outcome.internal), `${outcome.internal.length} internal errors`).to.deep.equal([]);
      expect(sample(outcome.unlocated), `${outcome.unlocated.length} unlocated issues`).to.deep.equal([]);
      // The mutations must actually reach the validators' refusals, not only the YAML parser's.
      expect(outcome.refused, 'refused').to.be.greaterThan(casesPerKind / 4);
      expect(outcome.accepted + outcome.refused).to.equal(casesPerKind);
    });
  }
});
