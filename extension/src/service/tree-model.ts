// The jobs tree as plain data: grouped by file, or by next run with an "in the next 24 hours"
// group. The VS Code TreeDataProvider only maps these nodes to TreeItems.

import type { JobDeclaration } from '@tickwise/analyzer';
import type { IndexedJob } from './job-index.js';
import { nextRun, treeDescription } from './presentation.js';

export type SortMode = 'file' | 'nextRun';

export interface JobNode {
  kind: 'job';
  id: string;
  uri: string;
  job: JobDeclaration;
  label: string;
  description: string;
  nextRun?: Date;
  dynamic: boolean;
  duplicate: boolean;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  label: string;
  description: string;
  /** For file groups: the file's URI. */
  uri?: string;
  children: JobNode[];
}

export type TreeNode = GroupNode | JobNode;

const DAY_MS = 86_400_000;

function jobNode(entry: IndexedJob, now: Date, duplicates: ReadonlySet<string>): JobNode {
  const { job, uri } = entry;
  const next = job.schedule.dynamic ? undefined : nextRun(job, now);
  const duplicate = !job.nameIsDynamic && duplicates.has(job.name);
  return {
    kind: 'job',
    id: `${uri}#${job.span.start}`,
    uri,
    job,
    label: job.name,
    description: `${duplicate ? 'duplicate name · ' : ''}${treeDescription(job, now, next)}`,
    ...(next && { nextRun: next }),
    dynamic: job.schedule.dynamic,
    duplicate,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function buildTree(
  entries: readonly IndexedJob[],
  mode: SortMode,
  now: Date,
  duplicates: ReadonlySet<string> = new Set(),
): GroupNode[] {
  const nodes = entries.map((entry) => jobNode(entry, now, duplicates));
  if (mode === 'file') {
    const byFile = new Map<string, JobNode[]>();
    for (const node of nodes) {
      const list = byFile.get(node.uri);
      if (list) list.push(node);
      else byFile.set(node.uri, [node]);
    }
    return [...byFile.entries()]
      .map(([uri, jobs]) => ({
        kind: 'group' as const,
        id: `file:${uri}`,
        label: jobs[0]?.job.file ?? uri,
        description: plural(jobs.length, 'job'),
        uri,
        children: jobs.sort((a, b) => a.job.span.start - b.job.span.start),
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
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
