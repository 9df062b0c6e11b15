-- GET /api/photos lists an owner's photos by album and time. The old index found the rows, but
-- each row then had to be read from the table, where it sits beside its JPEG bytes. This index
-- holds every listed column, so the list is read from the index alone (a covering index), in
-- the order the API returns it.
DROP INDEX photos_owner;
CREATE INDEX photos_owner_list ON photos(owner, album, taken_at, id, title, width, height);
