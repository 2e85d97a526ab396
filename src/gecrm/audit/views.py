"""The audit log for administrators (changes and security events) and the reveal of personal data.

The log answers 404 to everyone else, like any object outside a user's scope. Entries are shown,
filtered and exported, never edited: there is no URL that changes or deletes one.
"""

import json
from collections import defaultdict

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gecrm.core.models import ObjectChange
from gecrm.core.spreadsheets import iter_csv
from gecrm.core.views import ObjectListView, change_rows

from .actions import do_reveal_personal_data, record_export
from .filtersets import AuditEventFilterSet, ObjectChangeFilterSet
from .masking import PERSONAL_FIELDS, can_view_personal_data, mask_changes
from .models import AuditEvent

EXPORT_CHUNK = 2000


def can_view_auditlog(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("audit.view_auditlog")


def log_rows(entries) -> list[dict]:
    """Change log entries of any type as the history template shows them, personal values
    masked; one query per related model named in them, however many entries."""
    entries = list(entries)
    by_type = defaultdict(list)
    for entry in entries:
        by_type[entry.object_type].append(entry)
    rows = {}
    for object_type, group in by_type.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            model = None
        if model is None:
            for entry in group:
                changes = mask_changes(entry.object_type, entry.changes or {})
                fields = [
                    {"label": name, "before": v[0], "after": v[1]}
                    if isinstance(v, list) and len(v) == 2
                    else {"label": name, "before": None, "after": v}
                    for name, v in changes.items()
                ]
                rows[entry.pk] = {"entry": entry, "fields": fields}
        else:
            for row in change_rows(group, model):
                rows[row["entry"].pk] = row
    return [rows[entry.pk] for entry in entries]


class AuditLogMixin:
    tab = ""
    export_menu_template = "audit/export_link.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # to the login page
        if not can_view_auditlog(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return self.model.objects.all()

    def customize_filter_form(self, form, request):
        super().customize_filter_form(form, request)
        for name in ("date_from", "date_to"):
            form.fields[name].widget.input_type = "date"

    def get_extra_context(self, request):
        return {"tab": self.tab}


class ChangeLogView(AuditLogMixin, ObjectListView):
    """Every create, update and delete of a business object."""

    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    template_name = "audit/log.html"
    table_template_name = "audit/change_table.html"
    tab = "changes"


class SecurityEventView(AuditLogMixin, ObjectListView):
    """Logins, logouts, failed logins, API tokens, exports and reveals of personal data."""

    model = AuditEvent
    filterset_class = AuditEventFilterSet
    template_name = "audit/log.html"
    table_template_name = "audit/event_table.html"
    tab = "events"


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


CHANGE_COLUMNS = (
    "time", "user", "ip", "action", "object_type", "object_id", "object", "changes", "source",
)  # fmt: skip
EVENT_COLUMNS = (
    "time", "event", "user", "ip", "user_agent", "object_type", "object_id", "object", "details",
    "source",
)  # fmt: skip


def _change_row(entry) -> tuple:
    changes = mask_changes(entry.object_type, entry.changes or {})
    return (
        _local(entry.time),
        entry.actor_name,
        entry.ip or "",
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        json.dumps(changes, ensure_ascii=False, sort_keys=True),
        entry.source,
    )


def _event_row(event) -> tuple:
    return (
        _local(event.time),
        event.kind,
        event.username,
        event.ip or "",
        event.user_agent,
        event.object_type,
        event.object_id,
        event.object_repr,
        json.dumps(event.details, ensure_ascii=False, sort_keys=True),
        event.source,
    )


@login_required
@require_GET
def export_log(request, tab):
    """The filtered log as CSV (UTF-8 with BOM); the export itself is logged first."""
    if not can_view_auditlog(request.user):
        raise Http404
    if tab == "changes":
        filterset_class, model, columns, row = (
            ObjectChangeFilterSet,
            ObjectChange,
            CHANGE_COLUMNS,
            _change_row,
        )
    elif tab == "events":
        filterset_class, model, columns, row = (
            AuditEventFilterSet,
            AuditEvent,
            EVENT_COLUMNS,
            _event_row,
        )
    else:
        raise Http404
    filterset = filterset_class(request.GET, queryset=model.objects.all())
    queryset = filterset.qs if filterset.is_valid() else model.objects.all()
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("-time", "-id")
    filters = {k: v for k, v in request.GET.lists() if any(v) and k in filterset.filters}
    record_export(
        f"auditlog.{tab}",
        actor=request.user,
        fmt="csv",
        filters=filters,
        rows=queryset.count(),
        personal_data="masked" if tab == "changes" else "none",
        source="web",
    )
    rows = (row(item) for item in queryset.iterator(chunk_size=EXPORT_CHUNK))
    response = StreamingHttpResponse(iter_csv(columns, rows), content_type="text/csv")
    name = f"auditlog-{tab}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def personal_element_id(object_type: str, pk, field: str) -> str:
    return f"pd-{object_type.replace('.', '-')}-{pk}-{field}"


@login_required
@require_POST
def reveal(request, object_type, pk):
    """Reveal the clear personal data of one object (e.g. a contact's phone and e-mail).

    Allowed to users with `view_personal_data` for objects in their scope; every reveal is an
    `unmask` event. The answer swaps the masked values on the page (htmx out-of-band).
    """
    if object_type not in PERSONAL_FIELDS:
        raise Http404
    if not can_view_personal_data(request.user):
        raise PermissionDenied
    model = apps.get_model(object_type)
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    values = do_reveal_personal_data(obj, actor=request.user, source="web")
    items = [
        {"id": personal_element_id(object_type, obj.pk, name), "value": value}
        for name, value in values.items()
    ]
    return render(request, "audit/revealed.html", {"items": items})
