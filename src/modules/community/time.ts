// Event times: stored as instants (timestamptz), typed and shown as wall-clock times in the
// event's own zone (Kyiv or Sofia), whatever the reader's or the server's zone.
import type { Locale } from '../../platform/i18n/locales.ts';

export const TIME_ZONES = ['Europe/Kyiv', 'Europe/Sofia'] as const;
export type TimeZone = (typeof TIME_ZONES)[number];

function wallClockParts(instant: number, zone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/**
 * A wall-clock time as typed in a form ("2026-11-22T10:00") in `zone`, as an instant; null if
 * unreadable or not a real date. In the hour repeated when clocks go back, the earlier is taken.
 */
export function fromZonedLocal(text: string, zone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59) return null;
  // The zone's offset near that moment, read back from the time-zone database; tried twice so
  // that a time just after a change of offset lands right.
  const offsetAt = (instant: number) => {
    const p = wallClockParts(instant, zone);
    return (
      Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) -
      instant
    );
  };
  let instant = asUtc - offsetAt(asUtc);
  instant = asUtc - offsetAt(instant);
  return new Date(instant);
}

/** An instant as the value of an <input type="datetime-local"> in `zone`: "2026-11-22T10:00". */
export function toZonedLocal(time: Date, zone: string): string {
  const p = wallClockParts(time.getTime(), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A date and time in the reader's language, in the event's zone. */
export function formatInZone(locale: Locale, time: Date, zone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(time);
}

/** A span of time: "22 Nov 2026, 10:00 – 18:00" on one day, both ends in full otherwise. */
export function formatSpan(locale: Locale, starts: Date, ends: Date, zone: string): string {
  const sameDay = toZonedLocal(starts, zone).slice(0, 10) === toZonedLocal(ends, zone).slice(0, 10);
  const end = sameDay
    ? new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: zone }).format(ends)
    : formatInZone(locale, ends, zone);
  return `${formatInZone(locale, starts, zone)} – ${end}`;
}

/** The zone's short name at that time, as readers know it ("GMT+2", "EET"…). */
export function zoneLabel(locale: Locale, time: Date, zone: string): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'shortOffset' })
    .formatToParts(time)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}
