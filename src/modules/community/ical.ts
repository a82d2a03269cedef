// iCalendar (RFC 5545) files for events: one event's .ics, a city's or an organiser's feed, the
// invitation attached to confirmation and reminder mails. Written by hand: CRLF line ends, TEXT
// values escaped (§3.3.11), lines folded at 75 octets without splitting a UTF-8 character
// (§3.1). Times are written in UTC, so no VTIMEZONE block is needed; calendars show them in the
// reader's own zone.

export interface CalendarEvent {
  uid: string;
  /** Bumped on each change (SEQUENCE), so a calendar replaces its copy. */
  sequence: number;
  stamp: Date;
  starts: Date;
  ends: Date;
  summary: string;
  description: string;
  location: string | null;
  geo: { latitude: number; longitude: number } | null;
  url: string;
  categories: string[];
  cancelled: boolean;
}

/** TEXT escaping: backslash, semicolon, comma and line ends. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** A content line folded at 75 octets: continuation lines start with one space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; continuations hold 74 after their leading space.
    if (octets + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** A UTC DATE-TIME: 20261122T080000Z. */
export function utcStamp(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function calendar(options: { name: string; events: CalendarEvent[] }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Hromada//Community events//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
  ];
  for (const event of options.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      `SEQUENCE:${event.sequence}`,
      `DTSTAMP:${utcStamp(event.stamp)}`,
      `DTSTART:${utcStamp(event.starts)}`,
      `DTEND:${utcStamp(event.ends)}`,
      `SUMMARY:${escapeText(event.summary)}`,
    );
    if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
    if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
    if (event.geo) lines.push(`GEO:${event.geo.latitude.toFixed(6)};${event.geo.longitude.toFixed(6)}`);
    if (event.categories.length) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(',')}`);
    lines.push(`URL:${event.url}`, `STATUS:${event.cancelled ? 'CANCELLED' : 'CONFIRMED'}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
