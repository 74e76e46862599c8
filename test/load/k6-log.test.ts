/** Which k6 lines reach the console: its notice of the stop the harness asked for does not, the rest do. */
import { expect } from 'chai';
import { isK6LineShown } from '../../src/load/k6-log.js';

const notice = (signal: string): string =>
  `time="2026-12-07T15:06:07Z" level=error msg="test run was aborted because k6 received a '${signal}' signal"`;

describe("k6's log lines", () => {
  it("drops k6's notice of the SIGINT or SIGTERM the harness sent to stop it", () => {
    expect(isK6LineShown(notice('interrupt'), true)).to.equal(false);
    expect(isK6LineShown(notice('terminated'), true)).to.equal(false);
  });

  it('drops the same notice in k6’s raw log form (--log-format=raw)', () => {
    expect(isK6LineShown("test run was aborted because k6 received a 'interrupt' signal", true)).to.equal(false);
    expect(isK6LineShown("test run was aborted because k6 received a 'hangup' signal", true)).to.equal(true);
    expect(isK6LineShown("test run was aborted because k6 received a 'interrupt' signal", false)).to.equal(true);
  });

  it('keeps the same notice when nobody here asked k6 to stop (someone else signalled it)', () => {
    expect(isK6LineShown(notice('interrupt'), false)).to.equal(true);
  });

  it('keeps every other line after a stop: warnings that matter still show', () => {
    for (const line of [
      'time="2026-12-07T15:06:07Z" level=warning msg="Insufficient VUs, reached 64 active VUs and cannot initialize more"',
      'time="2026-12-07T15:06:07Z" level=error msg="GoError: connection refused"',
      `time="2026-12-07T15:06:07Z" level=error msg="test run was aborted because k6 received a 'hangup' signal"`,
    ])
      expect(isK6LineShown(line, true), line).to.equal(true);
  });

  it('drops blank lines', () => {
    expect(isK6LineShown('   ', false)).to.equal(false);
  });
});
