"""The database session store, refusing session keys that Django could never have issued.

A cookie is client input: a key with a NUL byte reached PostgreSQL (which rejects NUL in text)
and answered 500. Django issues keys of lowercase letters and digits only; anything else is no
session at all.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and key.isascii() and key.isalnum()
