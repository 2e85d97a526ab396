"""Signals other apps listen to (the KPI engine recomputes who covers which group)."""

from django.dispatch import Signal

# Sent after the transaction that created or changed assignments committed; `since` is the
# earliest date any of the changed assignments starts or ends (a `datetime.date`).
assignments_changed = Signal()
