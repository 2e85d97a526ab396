"""Filters of the audit log: the change log and the security events, shared by page and CSV."""

import datetime

import django_filters
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import ObjectChange

from .models import AuditEvent


def logged_object_types() -> list[tuple[str, str]]:
    """The models whose changes are logged (every gecrm model but the logs), by name."""
    skip = {ObjectChange, AuditEvent}
    types = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("gecrm.") and model not in skip
    ]
    return sorted(types, key=lambda item: item[1])


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class LogFilterSet(django_filters.FilterSet):
    """What both tabs share: a date range (days in local time), an address and the order."""

    date_from = django_filters.DateFilter(method="filter_from", label=_("From"))
    date_to = django_filters.DateFilter(method="filter_to", label=_("To"))
    ip = django_filters.CharFilter(method="filter_ip", label=_("IP address"))
    ordering = django_filters.OrderingFilter(fields=(("time", "time"),), label=_("Sort"))

    def filter_from(self, qs, name, value):
        # A range on the indexed column, not `time__date`, which would read every row.
        return qs.filter(time__gte=_day_start(value)) if value else qs

    def filter_to(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(time__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_ip(self, qs, name, value):
        # A prefix ("10.12.") finds a whole office network.
        value = value.strip()
        return qs.filter(ip__startswith=value) if value else qs


class ObjectChangeFilterSet(LogFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    actor = django_filters.CharFilter(method="filter_actor", label=_("User"))
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices, label=_("Action"))
    object_type = django_filters.ChoiceFilter(choices=logged_object_types, label=_("Object type"))
    source = django_filters.CharFilter(label=_("Source"))

    class Meta:
        model = ObjectChange
        fields = []

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(object_repr__icontains=value) | Q(object_id=value))

    def filter_actor(self, qs, name, value):
        value = value.strip()
        return qs.filter(actor_name__istartswith=value) if value else qs


class AuditEventFilterSet(LogFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    username = django_filters.CharFilter(method="filter_username", label=_("User"))
    kind = django_filters.ChoiceFilter(choices=AuditEvent.Kind.choices, label=_("Event"))
    object_type = django_filters.ChoiceFilter(choices=logged_object_types, label=_("Object type"))

    class Meta:
        model = AuditEvent
        fields = []

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(object_repr__icontains=value) | Q(object_id=value) | Q(user_agent__icontains=value)
        )

    def filter_username(self, qs, name, value):
        value = value.strip()
        return qs.filter(username__istartswith=value) if value else qs
