/**
 * A k6 that outlived its run: the harness died (kill -9, OOM) before its watchdog could stop k6,
 * or the watchdog itself was killed. The journal names the k6 process and the harness process;
 * when both ran on this machine, the harness is gone and that pid is still a k6, it is an orphan
 * still sending load — `chaos recover` and the next `chaos run` stop it.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { commandLineOf, processIsAlive, signalGroup } from '../../system/processes.js';
import { readJournal } from '../record/journal.js';
import type { JournalEntry } from '../record/run-events.js';

export interface OrphanedLoad {
  journal: string;
  runId: string;
  pid: number;
}

type Entry<T extends JournalEntry['type']> = Extract<JournalEntry, { type: T }>;

export async function findOrphanedLoad(journals: readonly string[], here = hostname()): Promise<OrphanedLoad[]> {
  const found: OrphanedLoad[] = [];
  for (const file of journals) {
    const { entries } = await readJournal(file);
    const started = entries.find((e): e is Entry<'run-started'> => e.type === 'run-started');
    const k6 = entries.find((e): e is Entry<'k6-started'> => e.type === 'k6-started');
    if (!started || !k6 || k6.host !== here || entries.some((e) => e.type === 'k6-ended')) continue;
    if (started.pid !== undefined && started.pid !== process.pid && processIsAlive(started.pid)) continue;
    if (!processIsAlive(k6.pid)) continue;
    // The pid may have been reused since: only a process that is still a k6 is ours to stop.
    const command = commandLineOf(k6.pid);
    if (command && !command.some((part) => path.basename(part) === 'k6')) continue;
    found.push({ journal: file, runId: started.runId, pid: k6.pid });
  }
  return found;
}

/** Stops an orphan's process group (SIGTERM: k6 stops at once); true when it was signalled. */
export function stopOrphanedLoad(orphan: OrphanedLoad): boolean {
  return signalGroup(orphan.pid, 'SIGTERM');
}
