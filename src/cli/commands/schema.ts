import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { environmentSchema } from '../../environment/schema.js';
import { scenarioSchema } from '../../scenario/schema.js';
import { exportSuiteSchema } from '../../play/suite/schema.js';
import { exportResultSchema } from '../../report/result-schema.js';
import { exportOutputSchema, outputSchemas, type OutputName } from '../../report/output-schemas.js';

export function exportSchema(which: 'scenario' | 'environment'): object {
  const schema = which === 'scenario' ? scenarioSchema : environmentSchema;
  return {
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: `https://chaos.dev/schema/${which}.v1.json`,
    title: which === 'scenario' ? 'chaos scenario (format v1)' : 'chaos environment (format v1)',
  };
}

const fileKinds = {
  scenario: () => exportSchema('scenario'),
  environment: () => exportSchema('environment'),
  suite: exportSuiteSchema,
  result: exportResultSchema,
} as const;

/** Every schema `chaos schema` prints: the input files, result.json, and each `--output json` document. */
export const schemaKinds = [...Object.keys(fileKinds), ...Object.keys(outputSchemas).map((name) => `output-${name}`)];

export function registerSchema(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description(
      'print a JSON Schema, for editors and CI: scenario (default), environment, suite, result, or output-<command>',
    )
    .argument('[kind]', schemaKinds.join(', '), 'scenario')
    .action((kind: string) => {
      if (Object.hasOwn(fileKinds, kind))
        return io.out(JSON.stringify(fileKinds[kind as keyof typeof fileKinds](), null, 2));
      const output = kind.replace(/^output-/, '');
      if (kind.startsWith('output-') && Object.hasOwn(outputSchemas, output))
        return io.out(JSON.stringify(exportOutputSchema(output as OutputName), null, 2));
      throw new InputError(`chaos schema ${kind}: expected one of ${schemaKinds.join(', ')}`);
    });
}
