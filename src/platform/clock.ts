// The time as the application sees it. Deadlines (a petition's moderation, collection and
// response periods, a budget cycle's phases) read it from here, so that tests can move it.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved; for tests of deadlines. */
export class FakeClock implements Clock {
  private time: number;
  constructor(start: Date | string) {
    this.time = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.time);
  }
  set(time: Date | string): void {
    this.time = new Date(time).getTime();
  }
  advanceDays(days: number): void {
    this.time += days * 86_400_000;
  }
}

/** The calendar date in Kyiv (where the deadlines of Ukrainian law are counted) as YYYY-MM-DD. */
export function kyivDate(time: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Kyiv',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(time);
}

/** A wall-clock time in Kyiv as typed in a form ("2026-11-22T10:00"), as an instant; null if unreadable. */
export function fromKyivLocal(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const asUtc = Date.UTC(
    Number(match[1]),
    Number(match[2]) - 1,
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6] ?? 0),
  );
  // Kyiv's offset at that moment (UTC+2 or +3), read back from the time-zone database.
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Kyiv',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(asUtc));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const shown = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return new Date(asUtc - (shown - asUtc));
}
