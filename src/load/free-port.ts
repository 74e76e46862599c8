/**
 * A free TCP port on loopback, found synchronously (a child Node binds port 0 and says which it
 * got): for a program the harness starts at once with a fixed address (k6's REST API). Another
 * process could take it in between; on loopback of one machine that is rare, and k6 then fails
 * to start, which the run reports.
 */
import { spawnSync } from 'node:child_process';

export function freeLoopbackPortSync(): number {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  const port = Number(probe.stdout);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no free loopback port: ${probe.stderr || probe.error}`);
  return port;
}
