/** `chaos setup`: find a k6 v2 (K6_BIN, a tools folder, PATH), else build the pinned one with Go. */
import type { CliIo } from '../system/io.js';
import { buildK6, describeCandidates, findK6, inspectK6 } from '../load/k6-binary.js';

export async function setupK6(options: { rebuild?: boolean }, io: CliIo): Promise<void> {
  const found = options.rebuild ? undefined : await findK6(io.env);
  if (found) {
    io.out(`k6 ${found.version} found (${found.source}): ${found.path}`);
    return;
  }
  if (!options.rebuild) io.err(`no k6 v2 yet; looked at:\n${describeCandidates(await inspectK6(io.env))}`);
  const built = await buildK6((line) => io.err(line), io.env);
  io.out(`k6 ${built.version} ready: ${built.path}`);
}
