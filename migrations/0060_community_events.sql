-- Community events (issue 17): meetups, training courses of sessions (the Data Academy),
-- datathons and forums, organised by one or more organisations, in a city or online.
-- Registration keeps a waiting list; seats are handed out under the event's row lock, so several
-- servers never give away more seats than the capacity.

CREATE TABLE community_events (
  id serial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('meetup', 'training', 'datathon', 'forum')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  city_id int REFERENCES cities (id) ON DELETE SET NULL,
  online boolean NOT NULL DEFAULT false,
  online_url text CHECK (online_url IS NULL OR online_url ~ '^https?://'),
  venue text CHECK (length(venue) <= 300),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  -- The zone the times are shown and typed in (the city's); instants are stored as timestamptz.
  time_zone text NOT NULL CHECK (time_zone IN ('Europe/Kyiv', 'Europe/Sofia')),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- NULL: no limit of seats.
  capacity int CHECK (capacity BETWEEN 1 AND 100000),
  registration_opens_at timestamptz NOT NULL,
  registration_closes_at timestamptz NOT NULL,
  cancelled_at timestamptz,
  -- The short report after the event.
  report text NOT NULL DEFAULT '' CHECK (length(report) <= 20000),
  -- Bumped on every change, as the iCalendar SEQUENCE, so calendars replace their copy.
  revision int NOT NULL DEFAULT 0,
  created_by int REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (starts_at < ends_at),
  CHECK (registration_opens_at < registration_closes_at AND registration_closes_at <= ends_at),
  CHECK (city_id IS NOT NULL OR online),
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX community_events_starts_idx ON community_events (starts_at);
CREATE INDEX community_events_city_idx ON community_events (city_id, starts_at);

CREATE TABLE community_event_organizers (
  event_id int NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  organization_id int NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  PRIMARY KEY (event_id, organization_id)
);
CREATE INDEX community_event_organizers_org_idx ON community_event_organizers (organization_id);

-- The sessions of a course (two weekends of the Data Academy); an event without any is one session.
CREATE TABLE community_event_sessions (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  CHECK (starts_at < ends_at)
);
CREATE INDEX community_event_sessions_event_idx ON community_event_sessions (event_id, starts_at);

CREATE TABLE community_registrations (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  -- The waiting list is served in the order people (re-)registered.
  registered_at timestamptz NOT NULL,
  status_changed_at timestamptz NOT NULL,
  attended boolean,
  reminded_at timestamptz,
  UNIQUE (event_id, user_id)
);
CREATE INDEX community_registrations_queue_idx ON community_registrations (event_id, status, registered_at, id);
CREATE INDEX community_registrations_user_idx ON community_registrations (user_id);

-- After the event: slides, recordings, links and files.
CREATE TABLE community_event_materials (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('slides', 'recording', 'link', 'file')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  url text CHECK (url IS NULL OR url ~ '^https?://'),
  file_key text,
  file_name text,
  mime_type text,
  size_bytes bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((url IS NULL) <> (file_key IS NULL))
);
CREATE INDEX community_event_materials_event_idx ON community_event_materials (event_id, id);

-- The report's photos.
CREATE TABLE community_event_photos (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  caption text NOT NULL CHECK (length(caption) BETWEEN 1 AND 300),
  file_key text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX community_event_photos_event_idx ON community_event_photos (event_id, id);

-- Mail may carry small text attachments (an event's .ics invitation):
-- [{"filename": …, "content_type": …, "content": …}].
ALTER TABLE outbox ADD COLUMN attachments jsonb;
