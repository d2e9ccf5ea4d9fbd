// The jobs tree as plain data: grouped by file, or by next run with an "in the next 24 hours"
// group. Labels lead with what matters at a narrow width: the job's name, then its next run and
// owner; a file by its name, its folder shortened (the tooltip has the full path). The VS Code
// TreeDataProvider only maps these nodes to TreeItems.

import type { FleetJob } from './fleet-client.js';
import type { IndexedJob } from './job-index.js';
import { fileName, type JobView, jobDescription, nextRun, shortDirectory, shortLocation } from './presentation.js';

export type SortMode = 'file' | 'nextRun';

export interface JobNode extends JobView {
  kind: 'job';
  id: string;
  uri: string;
  /** The job's name. */
  label: string;
  /** {@link jobDescription}: "in 2h 13m · data-team". */
  description: string;
  dynamic: boolean;
  duplicate: boolean;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  /** A file group: the file name ("report.ts"); else the group's title. */
  label: string;
  /** "…/src/jobs · 2 jobs", or "2 jobs". */
  description: string;
  /** A file group: the workspace-relative path. */
  tooltip?: string;
  /** For file groups: the file's URI. */
  uri?: string;
  children: JobNode[];
}

export type TreeNode = GroupNode | JobNode;

const DAY_MS = 86_400_000;

function jobNode(
  entry: IndexedJob,
  mode: SortMode,
  now: Date,
  duplicates: ReadonlySet<string>,
  fleet: ReadonlyMap<string, FleetJob> | undefined,
): JobNode {
  const { job, uri } = entry;
  const next = job.schedule.dynamic ? undefined : nextRun(job, now);
  const view: JobView = {
    job,
    // Matched by name: the name the analyzer reads is the one the runtime registers.
    ...(fleet && !job.nameIsDynamic && { fleet: fleet.get(job.name) ?? 'not-in-fleet' }),
    ...(next && { nextRun: next }),
    duplicate: !job.nameIsDynamic && duplicates.has(job.name),
    // Grouped by file, the group says where; sorted by time, each job does.
    ...(mode === 'nextRun' && { location: shortLocation(job) }),
  };
  return {
    ...view,
    kind: 'job',
    id: `${uri}#${job.span.start}`,
    uri,
    label: job.name,
    description: jobDescription(view, now),
    dynamic: job.schedule.dynamic,
    duplicate: view.duplicate === true,
  };
}

/** The next runs the tree's labels count down to (what the refresh timer watches). */
export function runsShown(groups: readonly GroupNode[]): Date[] {
  return groups.flatMap((g) => g.children.flatMap((c) => (c.nextRun ? [c.nextRun] : [])));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The tree's groups. `fleet`, the jobs the connected service reports by name, adds each job's
 * fleet status to its node (absent: not connected).
 */
export function buildTree(
  entries: readonly IndexedJob[],
  mode: SortMode,
  now: Date,
  duplicates: ReadonlySet<string> = new Set(),
  fleet?: ReadonlyMap<string, FleetJob>,
): GroupNode[] {
  const nodes = entries.map((entry) => jobNode(entry, mode, now, duplicates, fleet));
  if (mode === 'file') {
    const byFile = new Map<string, JobNode[]>();
    for (const node of nodes) {
      const list = byFile.get(node.uri);
      if (list) list.push(node);
      else byFile.set(node.uri, [node]);
    }
    return [...byFile.entries()]
      .map(([uri, jobs]) => {
        const path = jobs[0]?.job.file ?? uri;
        return {
          kind: 'group' as const,
          id: `file:${uri}`,
          label: fileName(path),
          description: [shortDirectory(path), plural(jobs.length, 'job')].filter(Boolean).join(' · '),
          tooltip: path,
          uri,
          children: jobs.sort((a, b) => a.job.span.start - b.job.span.start),
        };
      })
      .sort((a, b) => a.tooltip.localeCompare(b.tooltip));
  }
  const soon: JobNode[] = [];
  const later: JobNode[] = [];
  const none: JobNode[] = [];
  for (const node of nodes) {
    if (!node.nextRun) none.push(node);
    else if (node.nextRun.getTime() - now.getTime() <= DAY_MS) soon.push(node);
    else later.push(node);
  }
  const byTime = (a: JobNode, b: JobNode) =>
    (a.nextRun?.getTime() ?? 0) - (b.nextRun?.getTime() ?? 0) || a.label.localeCompare(b.label);
  const groups: GroupNode[] = [
    { kind: 'group', id: 'next:soon', label: 'In the next 24 hours', description: '', children: soon.sort(byTime) },
    { kind: 'group', id: 'next:later', label: 'Later', description: '', children: later.sort(byTime) },
    {
      kind: 'group',
      id: 'next:none',
      label: 'No next run (dynamic, invalid or finished)',
      description: '',
      children: none.sort((a, b) => a.label.localeCompare(b.label)),
    },
  ];
  return groups
    .filter((g) => g.children.length > 0)
    .map((g) => ({ ...g, description: plural(g.children.length, 'job') }));
}
