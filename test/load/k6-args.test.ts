/**
 * `load.outputs` as k6 reads them: `csv=<file>` or `csv=fileName=<file>,saveInterval=…,timeFormat=…`
 * (key=value pairs once there is an `=`), `json=<file>`. A relative file lands in the run
 * folder; everything else is passed as given.
 */
import { expect } from 'chai';
import { placeOutput } from '../../src/load/k6-args.js';

const run = '/runs/r1';

describe('k6 args: placeOutput puts a relative output file in the run folder', () => {
  const cases: Array<[string, string, string]> = [
    ['a plain csv file', 'csv=k6.csv', 'csv=/runs/r1/k6.csv'],
    ['a plain csv file in a sub folder', 'csv=out/k6.csv.gz', 'csv=/runs/r1/out/k6.csv.gz'],
    [
      'csv key=value pairs: only fileName moves, the other options stay',
      'csv=fileName=k6.csv,saveInterval=1s',
      'csv=fileName=/runs/r1/k6.csv,saveInterval=1s',
    ],
    [
      'csv key=value pairs with fileName last',
      'csv=saveInterval=2s,timeFormat=rfc3339,fileName=k6.csv',
      'csv=saveInterval=2s,timeFormat=rfc3339,fileName=/runs/r1/k6.csv',
    ],
    [
      'csv key=value pairs without fileName (k6 writes its default file in its working folder)',
      'csv=saveInterval=1s',
      'csv=saveInterval=1s',
    ],
    ['csv fileName absolute', 'csv=fileName=/tmp/k6.csv,saveInterval=1s', 'csv=fileName=/tmp/k6.csv,saveInterval=1s'],
    ['a plain absolute csv file', 'csv=/tmp/k6.csv', 'csv=/tmp/k6.csv'],
    ['csv to stdout', 'csv=-', 'csv=-'],
    ['a json file', 'json=k6.json', 'json=/runs/r1/k6.json'],
    ['a json file with a comma in its name (the whole value is the file)', 'json=a,b.json', 'json=/runs/r1/a,b.json'],
    ['an absolute json file', 'json=/tmp/k6.json', 'json=/tmp/k6.json'],
    ['json to stdout', 'json=-', 'json=-'],
    ['another output', 'influxdb=http://127.0.0.1:8086/k6', 'influxdb=http://127.0.0.1:8086/k6'],
    ['an output without a value', 'experimental-prometheus-rw', 'experimental-prometheus-rw'],
  ];
  for (const [what, given, expected] of cases)
    it(`${what}: ${given} → ${expected}`, () => expect(placeOutput(given, run)).to.equal(expected));

  it('leaves every output alone without a run folder', () => {
    expect(placeOutput('csv=fileName=k6.csv,saveInterval=1s', undefined)).to.equal(
      'csv=fileName=k6.csv,saveInterval=1s',
    );
  });
});
