-- What a job works on when it is not a DataStore resource (a procurement import, a feed): its id
-- as text. resource_id keeps its foreign key to resources for the DataStore's loads.
ALTER TABLE jobs ADD COLUMN subject text;
