import { expect } from 'chai';
import { InputError, type InputIssue } from '../../src/errors/errors.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';

function issuesOf(text: string): InputIssue[] {
  try {
    parseYamlSource('s.yaml', text);
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return [...(error as InputError).issues];
  }
  throw new Error('expected an InputError');
}

describe('YAML the library refuses only while building values', () => {
  it('an alias without its anchor is an input error at the alias', () => {
    const [issue, ...rest] = issuesOf('version: 1\nload: *nope\n');
    expect(rest).to.deep.equal([]);
    expect(issue).to.include({ file: 's.yaml', line: 2, column: 7 });
    expect(issue!.message).to.contain('*nope');
  });

  it('an alias bomb is an input error naming the resource-exhaustion guard', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const name of ['b', 'c', 'd', 'e']) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const [issue] = issuesOf(`${levels.join('\n')}\n`);
    expect(issue).to.include({ file: 's.yaml', line: 2 });
    expect(issue!.message).to.match(/too many values/);
  });
});
