/**
 * A function in src/ is at most 80 lines (k6's linter allows as many): longer is several steps
 * that want names. Blank lines and comments do not count. The file linted is a real one with a
 * function appended in memory; nothing on disk changes.
 */
import { expect } from 'chai';
import { lintWith } from './lint-kit.js';

const file = 'src/errors/exit-codes.ts';

/**
 * A function of `lines` lines from its first to its last, as the rule counts them: the signature,
 * a declaration, `lines - 4` statements, the return and the closing brace. After each statement
 * come `padding` blank lines and `padding` comment lines, which the rule skips.
 */
function functionOf(lines: number, padding = 0): string {
  const statement = ['  total += 1;', ...Array<string>(padding).fill(''), ...Array<string>(padding).fill('  // why')];
  const statements = Array.from({ length: lines - 4 }, () => statement).flat();
  return ['export function longFunction(): number {', '  let total = 0;', ...statements, '  return total;', '}'].join(
    '\n',
  );
}

function lengthProblems(messages: string[]): string[] {
  return messages.filter((message) => message.startsWith('max-lines-per-function:'));
}

describe('lint bounds the length of a function in src/', function () {
  this.timeout(120_000);

  it('80 lines pass', async () => {
    expect(lengthProblems(await lintWith(file, functionOf(80)))).to.deep.equal([]);
  });

  it('81 lines fail, naming the function and its length', async () => {
    expect(lengthProblems(await lintWith(file, functionOf(81)))).to.deep.equal([
      "max-lines-per-function: Function 'longFunction' has too many lines (81). Maximum allowed is 80.",
    ]);
  });

  it('blank lines and comments do not count: 80 lines of code among 152 blank and comment lines pass', async () => {
    const padded = functionOf(80, 1);
    expect(padded.split('\n').length).to.equal(80 + 2 * 76);
    expect(lengthProblems(await lintWith(file, padded))).to.deep.equal([]);
  });
});
