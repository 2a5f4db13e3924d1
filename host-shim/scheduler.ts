// The host's event loop (§5.10): every host-initiated event — tick, callout answer, queue
// notification, deferred stream action — runs as its own task, never nested inside another
// callback. A virtual clock makes tests deterministic: time moves only when everything in
// flight is waiting on it; the real clock drives `wasmesh serve`.

export interface TimerHandle {
  cancel(): void;
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export abstract class Scheduler {
  /** Milliseconds since the Unix epoch on this scheduler's clock. */
  abstract now(): number;
  /** Runs `fn` as a separate task, after the current one. */
  abstract post(fn: () => void): void;
  /** Runs `fn` after `ms` milliseconds of this scheduler's time. */
  abstract setTimer(ms: number, fn: () => void): TimerHandle;
  /** Runs an outside promise (an upstream or callout handler) and posts its result as a task. */
  abstract track<T>(p: Promise<T>, onSettled: (r: { ok: true; value: T } | { ok: false; error: unknown }) => void): void;
  /** Drives the loop until `done()` holds; returns false if it stalled first (nothing left to run before `deadline`). */
  abstract runUntil(done: () => boolean, deadline?: number): Promise<boolean>;
  /** Lets `ms` of time pass, running every task and timer that falls due, in order. */
  abstract advance(ms: number): Promise<void>;
  get virtual(): boolean {
    return this instanceof VirtualScheduler;
  }
}

export class VirtualScheduler extends Scheduler {
  private t: number;
  private seq = 0;
  private ready: Array<() => void> = [];
  private timers: Timer[] = [];
  private external = 0;
  /** Loops waiting for an outside promise to settle (several sends may drive the loop at once). */
  private waiters: Array<() => void> = [];

  constructor(startMs = Date.UTC(2030, 0, 1)) {
    super();
    this.t = startMs;
  }
  now(): number {
    return this.t;
  }
  post(fn: () => void): void {
    this.ready.push(fn);
    this.poke();
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return { cancel: () => void (timer.cancelled = true) };
  }
  track<T>(p: Promise<T>, onSettled: (r: { ok: true; value: T } | { ok: false; error: unknown }) => void): void {
    this.external++;
    p.then(
      (value) => this.settle(() => onSettled({ ok: true, value })),
      (error) => this.settle(() => onSettled({ ok: false, error })),
    );
  }
  private settle(fn: () => void): void {
    this.external--;
    this.post(fn);
  }
  private poke(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
  private nextTimer(): Timer | undefined {
    while (this.timers.length && this.timers[0].cancelled) this.timers.shift();
    return this.timers[0];
  }
  /** Runs ready tasks; returns false when none are left. */
  private step(): boolean {
    const fn = this.ready.shift();
    if (!fn) return false;
    fn();
    return true;
  }
  async runUntil(done: () => boolean, deadline = Infinity): Promise<boolean> {
    for (;;) {
      if (done()) return true;
      if (this.step()) continue;
      if (this.external > 0) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const next = this.nextTimer();
      if (!next || next.due > deadline) {
        if (deadline !== Infinity && deadline > this.t) this.t = deadline;
        return done();
      }
      this.timers.shift();
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
  }
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await this.runUntil(() => false, target);
    this.t = Math.max(this.t, target);
  }
  /** Runs what is ready now without moving the clock. */
  async settleNow(): Promise<void> {
    await this.runUntil(() => false, this.t);
  }
}

export class RealScheduler extends Scheduler {
  now(): number {
    return Date.now();
  }
  post(fn: () => void): void {
    setImmediate(fn);
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const h = setTimeout(fn, Math.max(0, ms));
    h.unref?.();
    return { cancel: () => clearTimeout(h) };
  }
  track<T>(p: Promise<T>, onSettled: (r: { ok: true; value: T } | { ok: false; error: unknown }) => void): void {
    p.then(
      (value) => setImmediate(() => onSettled({ ok: true, value })),
      (error) => setImmediate(() => onSettled({ ok: false, error })),
    );
  }
  async runUntil(done: () => boolean, deadline = Infinity): Promise<boolean> {
    while (!done()) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 1));
    }
    return true;
  }
  async advance(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }
}
