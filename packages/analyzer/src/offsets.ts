// Where in the text something of interest can be: lets AST walks skip every subtree that holds
// none of it (a 2,000-line file with a handful of jobs is then mostly skipped).

/** Sorted offsets, with a fast "is any of them in [pos, end)?". */
export class Offsets {
  private constructor(private readonly sorted: readonly number[]) {}

  /** Every offset at which one of the needles occurs in `text`. */
  static of(text: string, needles: readonly string[]): Offsets {
    const found: number[] = [];
    for (const needle of needles) {
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) found.push(at);
    }
    return new Offsets(found.sort((a, b) => a - b));
  }

  /** Whether an offset lies in [pos, end). */
  within(pos: number, end: number): boolean {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.sorted[mid] as number) < pos) low = mid + 1;
      else high = mid;
    }
    return low < this.sorted.length && (this.sorted[low] as number) < end;
  }
}
