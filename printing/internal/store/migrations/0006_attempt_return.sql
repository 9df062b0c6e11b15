-- Where the browser goes after a successful connect: the gallery (''), or back to the
-- walkthrough ('flow') when the user connected again from /flow after an experiment ended
-- PrintShop's access. A name from a fixed list, never a URL: no open redirect.

ALTER TABLE authorization_attempts ADD COLUMN return_to TEXT NOT NULL DEFAULT '';
