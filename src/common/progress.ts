/**
 * A progress bar for the CLI: redrawn in place on a terminal, a line every few seconds otherwise (logs, CI).
 */
export class ProgressBar {
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
    private readonly width = 30,
  ) {}

  update(fraction: number, detail: string): void {
    const share = Math.max(0, Math.min(1, fraction));
    const filled = Math.round(share * this.width);
    const text = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${detail}`;
    if (this.out.isTTY) {
      this.out.write(`\r${text}\u001b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastLine >= 2_000 || share === 1) {
      this.out.write(`${text}\n`);
      this.lastLine = Date.now();
    }
  }

  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
