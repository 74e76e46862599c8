/** `chaos guard`'s bad options are refused as invalid input (exit 2), naming the option and what it accepts. */
import { expect } from 'chai';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { runChaos } from '../support/cli.js';

describe('chaos guard: options', () => {
  it('an unknown --cluster is refused with the clusters of the environment', () => {
    const result = runChaos(['guard', '--cluster', 'east']);
    expect(result.code, result.stderr).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.match(/--cluster east: not a cluster of environment lab/);
    expect(result.stderr).to.match(/central, west/);
  });

  it('a Lease that is not whole seconds, a bad grace and a bad address are refused', () => {
    expect(runChaos(['guard', '--lease', '1500ms']).stderr).to.match(/--lease 1500ms: expected whole seconds/);
    expect(runChaos(['guard', '--grace', 'soon']).stderr).to.match(/--grace soon: expected a duration/);
    const address = runChaos(['guard', '--address', 'localhost']);
    expect(address.code).to.equal(ExitCode.invalidInput);
    expect(address.stderr).to.match(/--address localhost: expected host:port/);
  });

  it('with no lab running there is nothing to guard: a harness error that says how to get one', () => {
    const result = runChaos(['guard']);
    expect(result.code, result.stderr).to.equal(ExitCode.harnessError);
    expect(result.stderr).to.match(/the lab is not running/);
  });
});
