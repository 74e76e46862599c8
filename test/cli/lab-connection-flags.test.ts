/** --kubeconfig and --context name the clusters of an environment file: with the built-in lab, refused. */
import { expect } from 'chai';
import { InputError } from '../../src/errors/errors.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { readEnvironment } from '../../src/environment/read-environment.js';
import { runChaos } from '../support/cli.js';

describe('connection flags and the built-in lab', () => {
  it('readEnvironment refuses the lab with CHAOS_CONTEXT or CHAOS_KUBECONFIG set, and reads it without', () => {
    for (const env of [{ CHAOS_CONTEXT: 'central=prod' }, { CHAOS_KUBECONFIG: '/tmp/k' }])
      expect(() => readEnvironment('lab', process.cwd(), env), JSON.stringify(env)).to.throw(
        InputError,
        /apply to an environment file, not to the built-in lab/,
      );
    expect(readEnvironment('lab', process.cwd(), {}).builtIn).to.equal(true);
  });

  it('chaos plan --env lab --context … exits with the invalid-input code and says why', () => {
    const plan = runChaos(['plan', 'frontend-zero', '--env', 'lab', '--context', 'central=prod']);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(ExitCode.invalidInput);
    expect(plan.stderr).to.include('not to the built-in lab');
  });
});
