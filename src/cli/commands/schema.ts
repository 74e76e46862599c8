import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { environmentSchema } from '../../environment/schema.js';
import { scenarioSchema } from '../../scenario/schema.js';

export function exportSchema(which: 'scenario' | 'environment'): object {
  const schema = which === 'scenario' ? scenarioSchema : environmentSchema;
  return {
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: `https://chaos.dev/schema/${which}.v1.json`,
    title: which === 'scenario' ? 'chaos scenario (format v1)' : 'chaos environment (format v1)',
  };
}

export function registerSchema(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (or environment files), for editors and CI')
    .argument('[kind]', 'scenario or environment', 'scenario')
    .action((kind: string) => {
      if (kind !== 'scenario' && kind !== 'environment')
        throw new InputError(`chaos schema ${kind}: expected scenario or environment`);
      io.out(JSON.stringify(exportSchema(kind), null, 2));
    });
}
