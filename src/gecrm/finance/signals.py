"""Signals other apps listen to (the KPI engine recomputes its snapshots)."""

from django.dispatch import Signal

# Sent after the transaction that changed revenue facts committed; `months` is a set of YYYYMM.
revenue_changed = Signal()
