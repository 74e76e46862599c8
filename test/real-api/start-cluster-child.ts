/**
 * Run by real-cluster.test.ts as a separate process: starts a cluster, prints its pids and folder
 * as one JSON line, then waits to be killed, so the test can check what a dying process leaves.
 */
import { startRealCluster } from '../support/real-cluster.js';

const cluster = await startRealCluster('child', { istioCrds: false });
process.stdout.write(`${JSON.stringify({ pids: cluster.pids(), dir: cluster.dir })}\n`);
// Bounded: if nobody kills this process, it stops its cluster and exits after five minutes.
setTimeout(() => void cluster.stop().then(() => process.exit(3)), 300_000);
