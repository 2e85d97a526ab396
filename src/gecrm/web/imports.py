"""Imports and exports in the browser: upload → preview (validated, nothing written) → confirm.

The uploaded file is kept on the server under `MEDIA_ROOT/imports/<token>/` between the preview
and the confirmation, with a small `meta.json` saying whose it is and what the dry run found.
Nothing the browser sends back is trusted: the confirmation re-validates the stored file and
imports it all or nothing, like `gecrm import`.
"""

import datetime
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gecrm.core.exporting import EXPORTERS, ExportError, stream_csv, write_export
from gecrm.core.importing import (
    IMPORTERS,
    TEMPLATE_HEADERS,
    ImportIssue,
    ImportResult,
    can_import,
    issues_to_csv,
    issues_to_xlsx,
    run_import,
    template_bytes,
)
from gecrm.core.spreadsheets import SpreadsheetError, file_format, read_rows

logger = logging.getLogger(__name__)

app_name = "imports"

# The kinds this page offers, in the order they must be imported (units before their staff…).
KIND_LABELS = {
    "orgunits": gettext_lazy("Org units"),
    "staff": gettext_lazy("Staff"),
    "products": gettext_lazy("Products"),
    "customers": gettext_lazy("Customers"),
    "assignments": gettext_lazy("Account assignments"),
    "billing": gettext_lazy("Billing (monthly financial report)"),
    "pilots": gettext_lazy("Pilot customers of programmes"),
}
MB = 1024 * 1024
PREVIEW_ROWS = 10
SHOWN_ISSUES = 300
STALE_AFTER = datetime.timedelta(days=1)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds() -> list[tuple[str, str]]:
    return [(kind, label) for kind, label in KIND_LABELS.items() if kind in IMPORTERS]


def _check_format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return fmt


def _kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Data kind"), choices=_kinds)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8) or Excel .xlsx, with the header on the first row."),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Partial file"),
        required=False,
        help_text=gettext_lazy(
            "Billing only: replace the facts of the customers in the file, not the whole months."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            file_format(upload.name)
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        limit = settings.GECRM_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
                )
                % {"size": f"{upload.size / MB:.1f}", "limit": f"{limit / MB:.0f}"}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


# ------------------------------------------------------------------------------ stored uploads


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _store(upload, kind: str, user, partial: bool = False) -> str:
    token = str(uuid.uuid4())
    directory = _root() / token
    directory.mkdir(parents=True)
    fmt = file_format(upload.name)
    with (directory / f"upload.{fmt}").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    meta = {
        "kind": kind,
        "name": Path(upload.name).name[:200],
        "format": fmt,
        "size": upload.size,
        "user_id": user.pk,
        "uploaded": timezone.now().isoformat(),
        "partial": partial and kind == "billing",
    }
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    return token


def _load(request, token) -> tuple[Path, dict]:
    """The stored upload `token` of the requesting user; anyone else's answers 404."""
    directory = _root() / str(token)
    try:
        meta = json.loads((directory / "meta.json").read_text())
    except (OSError, ValueError):
        raise Http404 from None
    if meta.get("user_id") != request.user.pk:
        raise Http404
    return directory, meta


def _file(directory: Path, meta: dict) -> Path:
    return directory / f"upload.{meta['format']}"


def _save_result(directory: Path, meta: dict, result: ImportResult) -> None:
    meta["result"] = {
        "total": result.total,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "deleted": result.deleted,
        "note": result.note,
        "extra": result.extra,
        "header": result.header,
        "needs_confirmation": result.needs_confirmation,
        "errors": [asdict(issue) for issue in result.errors],
    }
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))


def _result(meta: dict) -> ImportResult:
    stored = meta.get("result") or {}
    result = ImportResult(kind=meta["kind"], dry_run=True)
    result.total = stored.get("total", 0)
    result.created = stored.get("created", 0)
    result.updated = stored.get("updated", 0)
    result.unchanged = stored.get("unchanged", 0)
    result.deleted = stored.get("deleted", 0)
    result.note = stored.get("note", "")
    result.extra = stored.get("extra", {})
    result.header = stored.get("header", [])
    result.needs_confirmation = stored.get("needs_confirmation", False)
    result.errors = [
        ImportIssue(**{**issue, "cells": tuple(issue.get("cells", ()))})
        for issue in stored.get("errors", [])
    ]
    return result


def _forget(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _forget_stale() -> None:
    """Uploads nobody confirmed or cancelled go after a day."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = (timezone.now() - STALE_AFTER).timestamp()
    for directory in root.iterdir():
        try:
            if directory.stat().st_mtime < cutoff:
                _forget(directory)
        except OSError:
            continue


def _preview_rows(path: Path, fmt: str):
    """The header and the first rows of the file as the user wrote them (None if unreadable)."""
    try:
        reader = read_rows(path, fmt)
        rows = []
        for number, cells in reader:
            width = len(reader.header)
            rows.append((number, (cells + [""] * width)[:width]))
            if len(rows) == PREVIEW_ROWS:
                break
        return reader.header, rows
    except SpreadsheetError:
        return None, []


def _require_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied(_("Only administrators and sales controllers may import data."))


# ------------------------------------------------------------------------------------ views


@login_required
def index(request):
    allowed = can_import(request.user)
    form = UploadForm(initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST":
        _require_importer(request.user)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            _forget_stale()
            token = _store(
                form.cleaned_data["file"],
                form.cleaned_data["kind"],
                request.user,
                form.cleaned_data["partial"],
            )
            directory, meta = _load(request, token)
            result = run_import(
                meta["kind"],
                _file(directory, meta),
                actor=request.user,
                dry_run=True,
                fmt=meta["format"],
                partial=meta.get("partial", False),
                file_name=meta["name"],
            )
            _save_result(directory, meta, result)
            return redirect("imports:preview", token=token)
    kinds = [
        {
            "kind": kind,
            "label": label,
            "columns": [
                (
                    column,
                    column in IMPORTERS[kind].required,
                    IMPORTERS[kind].chinese_headers.get(column, ""),
                )
                for column in IMPORTERS[kind].columns
            ],
            "exportable": kind in EXPORTERS,
        }
        for kind, label in _kinds()
    ]
    return render(
        request,
        "web/imports/index.html",
        {
            "form": form,
            "can_import": allowed,
            "kinds": kinds,
            "max_mb": f"{settings.GECRM_MAX_UPLOAD_BYTES / MB:.0f}",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def preview(request, token):
    _require_importer(request.user)
    directory, meta = _load(request, token)
    result = _result(meta)
    header, rows = _preview_rows(_file(directory, meta), meta["format"])
    issues = result.errors[:SHOWN_ISSUES]
    flagged = {(issue.row, issue.column) for issue in result.errors}
    flagged_rows = {row for row, _column in flagged}
    table = [
        {
            "number": number,
            "bad": number in flagged_rows,
            "cells": [
                (cell, (number, name) in flagged) for cell, name in zip(cells, header, strict=True)
            ],
        }
        for number, cells in rows
    ]
    return render(
        request,
        "web/imports/preview.html",
        {
            "token": token,
            "meta": meta,
            "kind_label": _kind_label(meta["kind"]),
            "result": result,
            "issues": issues,
            "hidden_issues": len(result.errors) - len(issues),
            "issue_rows": len(flagged_rows - {0, 1}),
            "header": header,
            "rows": table,
            "would_change": result.created + result.updated + result.deleted,
            "replaces": meta["kind"] == "billing",
            "months": result.extra.get("months", []),
        },
    )


@login_required
@require_POST
def confirm(request, token):
    _require_importer(request.user)
    directory, meta = _load(request, token)
    if getattr(IMPORTERS[meta["kind"]], "background", False):
        if _job_state(directory) is None:
            _write_job(
                directory, {"state": "queued", "phase": "validate", "fraction": 0, "rows": 0}
            )
            _start_job(_import_job, directory, meta, request.user)
        return redirect("imports:progress", token=token)
    # Validate again: the database may have changed since the preview, and the preview's
    # verdict is ours to recompute, never the browser's to assert.
    result = run_import(
        meta["kind"], _file(directory, meta), actor=request.user, fmt=meta["format"]
    )
    if not result.ok:
        _save_result(directory, meta, result)
        messages.error(request, result.summary(_kind_label(meta["kind"])))
        return redirect("imports:preview", token=token)
    _forget(directory)
    messages.success(request, result.summary(_kind_label(meta["kind"])))
    return redirect("imports:index")


# ------------------------------------------------------------------------ background imports
#
# Kinds with `background = True` (billing: millions of rows) are imported by a job after the
# confirmation. The job writes its progress to `job.json` next to the upload, where the
# progress page polls it (htmx, every second); any web process on the machine can answer.
# The in-process runner is a thread; GECRM_JOBS_EAGER runs jobs inline (tests).

PHASE_SPAN = {"validate": (0.0, 0.6), "check": (0.6, 0.75), "write": (0.75, 1.0)}
PHASE_LABELS = {
    "queued": gettext_lazy("Waiting to start"),
    "validate": gettext_lazy("Reading and checking rows"),
    "check": gettext_lazy("Checking codes and data scope"),
    "write": gettext_lazy("Writing"),
}


def _start_job(function, *args) -> None:
    if getattr(settings, "GECRM_JOBS_EAGER", False):
        function(*args)
        return

    def run():
        try:
            function(*args)
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name="gecrm-import-job", daemon=True).start()


def _write_job(directory: Path, state: dict) -> None:
    temp = directory / "job.json.tmp"
    temp.write_text(json.dumps(state, ensure_ascii=False))
    os.replace(temp, directory / "job.json")


def _job_state(directory: Path) -> dict | None:
    try:
        return json.loads((directory / "job.json").read_text())
    except (OSError, ValueError):
        return None


def _import_job(directory: Path, meta: dict, user) -> None:
    last = 0.0

    def progress(phase: str, fraction: float, rows: int) -> None:
        nonlocal last
        now = time.monotonic()
        if fraction < 1.0 and now - last < 0.5:
            return
        last = now
        low, high = PHASE_SPAN.get(phase, (0.0, 1.0))
        _write_job(
            directory,
            {"state": "running", "phase": phase, "fraction": low + (high - low) * fraction,
             "rows": rows},
        )  # fmt: skip

    try:
        result = run_import(
            meta["kind"],
            _file(directory, meta),
            actor=user,
            fmt=meta["format"],
            partial=meta.get("partial", False),
            file_name=meta["name"],
            progress=progress,
        )
    except Exception:
        logger.exception("background import of %s failed", meta["kind"])
        _write_job(directory, {"state": "failed", "phase": "", "fraction": 1, "rows": 0})
        return
    _save_result(directory, meta, result)
    if result.ok:
        _file(directory, meta).unlink(missing_ok=True)
    _write_job(
        directory,
        {"state": "done", "ok": result.ok, "phase": "", "fraction": 1, "rows": result.total,
         "summary": result.summary(_kind_label(meta["kind"]))},
    )  # fmt: skip


def _progress_context(token, directory: Path, meta: dict) -> dict:
    job = _job_state(directory) or {"state": "queued", "phase": "queued", "fraction": 0}
    phase = job.get("phase") or job["state"]
    return {
        "token": token,
        "meta": meta,
        "kind_label": _kind_label(meta["kind"]),
        "job": job,
        "percent": round(100 * float(job.get("fraction", 0))),
        "phase_label": PHASE_LABELS.get(phase, ""),
        "result": _result(meta) if job["state"] == "done" else None,
    }


@login_required
@require_GET
def progress(request, token):
    _require_importer(request.user)
    directory, meta = _load(request, token)
    return render(request, "web/imports/progress.html", _progress_context(token, directory, meta))


@login_required
@require_GET
def progress_status(request, token):
    """The progress fragment the page polls (htmx) until the job is over."""
    _require_importer(request.user)
    directory, meta = _load(request, token)
    return render(
        request, "web/imports/progress_status.html", _progress_context(token, directory, meta)
    )


@login_required
@require_POST
def cancel(request, token):
    directory, _meta = _load(request, token)
    _forget(directory)
    messages.info(request, _("The uploaded file was discarded; nothing was imported."))
    return redirect("imports:index")


@login_required
@require_GET
def report(request, token, fmt):
    _check_format(fmt)
    directory, meta = _load(request, token)
    result = _result(meta)
    stem = Path(meta["name"]).stem or meta["kind"]
    if fmt == "xlsx":
        data, content_type = issues_to_xlsx(result), XLSX_TYPE
    else:
        data, content_type = issues_to_csv(result), "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = _attachment(f"{stem}-errors.{fmt}")
    return response


@login_required
@require_GET
def template(request, kind, fmt):
    if kind not in KIND_LABELS or kind not in IMPORTERS:
        raise Http404
    _check_format(fmt)
    headers = request.GET.get("headers", "en")
    if headers not in TEMPLATE_HEADERS:
        raise Http404
    content_type = XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(template_bytes(kind, fmt, headers), content_type=content_type)
    suffix = "" if headers == "en" else f"-{headers}"
    response["Content-Disposition"] = _attachment(f"{kind}-template{suffix}.{fmt}")
    return response


@login_required
@require_GET
def export(request, kind, fmt):
    """The rows the user may see, narrowed and sorted as the list page shows them (its query
    string), in the import format or, with `shape=report`, the report format for people."""
    if kind not in KIND_LABELS or kind not in EXPORTERS:
        raise Http404
    _check_format(fmt)
    filters = request.GET.copy()
    shape = filters.pop("shape", ["import"])[-1] or "import"
    for key in ("page", "per_page", "format"):
        filters.pop(key, None)
    filters = {key: values for key, values in filters.lists() if any(values)}
    suffix = "-report" if shape == "report" else ""
    name = f"{kind}{suffix}-{timezone.localdate():%Y%m%d}.{fmt}"
    try:
        if fmt == "csv":
            response = StreamingHttpResponse(
                stream_csv(kind, request.user, filters, source="web", shape=shape),
                content_type="text/csv; charset=utf-8",
            )
        else:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
            write_export(kind, request.user, spool, "xlsx", filters, source="web", shape=shape)
            spool.seek(0)
            response = FileResponse(spool, content_type=XLSX_TYPE)
    except ExportError as exc:
        messages.error(request, str(exc))
        return redirect("imports:index")
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def export_url(kind: str, fmt: str, query: str = "") -> str:
    """For list pages: the export link of `kind` with the list's current filters."""
    url = reverse("imports:export", kwargs={"kind": kind, "fmt": fmt})
    return f"{url}?{query}" if query else url


urlpatterns = [
    path("", index, name="index"),
    path("<uuid:token>/", preview, name="preview"),
    path("<uuid:token>/confirm/", confirm, name="confirm"),
    path("<uuid:token>/cancel/", cancel, name="cancel"),
    path("<uuid:token>/progress/", progress, name="progress"),
    path("<uuid:token>/progress/status/", progress_status, name="progress_status"),
    path("<uuid:token>/errors.<str:fmt>", report, name="report"),
    path("templates/<str:kind>.<str:fmt>", template, name="template"),
    path("export/<str:kind>.<str:fmt>", export, name="export"),
]
