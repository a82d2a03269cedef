// Working days, as the law counts the moderation and response periods: weekends and the city's
// holidays do not count. Dates are ISO calendar dates (YYYY-MM-DD), never times.

function shift(date: string, days: number): string {
  const time =
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

export function isWorkingDay(date: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/** The date `days` working days after `from`: the last day of a period that starts the day after. */
export function addWorkingDays(from: string, days: number, holidays: ReadonlySet<string>): string {
  let date = from;
  for (let counted = 0; counted < days; ) {
    date = shift(date, 1);
    if (isWorkingDay(date, holidays)) counted++;
  }
  return date;
}

/** Whole calendar days from one date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
