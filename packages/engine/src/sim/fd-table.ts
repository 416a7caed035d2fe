/**
 * The fd table of the simulated server process. Like Linux, a new fd is the lowest free number,
 * so a number is handed out again right after it is closed (0, 1 and 2 are stdio).
 */
export class FdTable<T> {
  private readonly slots: (T | undefined)[] = [];

  constructor(private readonly firstFd = 3) {}

  /** Installs `file` at the lowest free fd and returns it. */
  alloc(file: T): number {
    let fd = this.firstFd;
    while (this.slots[fd] !== undefined) fd++;
    this.slots[fd] = file;
    return fd;
  }

  get(fd: number): T | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** Frees `fd`; returns the file that was there. */
  free(fd: number): T | undefined {
    const f = this.get(fd);
    if (f !== undefined) this.slots[fd] = undefined;
    return f;
  }

  /** Open fds in ascending order. */
  openFds(): number[] {
    const out: number[] = [];
    this.slots.forEach((f, fd) => {
      if (f !== undefined) out.push(fd);
    });
    return out;
  }
}
