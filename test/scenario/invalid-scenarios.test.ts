import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, formatIssue } from '../../src/errors/errors.js';
import { checkScenario } from '../../src/play/load-inputs.js';
import { readYamlFile } from '../../src/input/files.js';

// One defect per file; the first line of each file states the exact issue it must produce.
const dir = 'test/fixtures/invalid-scenarios';
const cwd = process.cwd();

describe('invalid scenarios (one defect per file)', () => {
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()) {
    const file = path.join(dir, name);
    const expected = /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.replace(' | hint: ', '\n    hint: ');
    it(`${name} is rejected with exactly: ${expected?.split('\n')[0]}`, () => {
      expect(expected, 'the file states its expected issue on line 1').to.be.a('string');
      let error: unknown;
      try {
        checkScenario(readYamlFile(path.resolve(file), cwd), undefined, cwd);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(InputError);
      const issues = (error as InputError).issues.map(formatIssue);
      expect(issues).to.deep.equal([expected]);
    });
  }
});
