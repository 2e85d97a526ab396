"""Generic list, detail and edit views shared by every app (in the spirit of NetBox's).

Each reads through `Model.objects.restrict(user, action)`, so a missing and an out-of-scope
object look the same (404), and each writes only through the owning app's actions.
"""

import copy
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .exceptions import CreateForbidden, OutsideScopeError, StaleObjectError
from .models import ObjectChange
from .querysets import may_create

TABLE_TARGET = "object-table"


def add_validation_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach an action's ValidationError to `form`.

    Errors on fields the form shows go to those fields; the rest (rules spanning fields the form
    does not show) become form-wide errors that still name the field.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            continue
        for item in errors:
            text = " ".join(item.messages)
            if name != "__all__":
                try:
                    label = form._meta.model._meta.get_field(name).verbose_name
                except (AttributeError, LookupError):
                    label = name
                text = f"{label}: {text}"
            form.add_error(None, text)


def render_conflict(request, message, back_url=None):
    """The 409 page: nothing was written, the user reloads and tries again."""
    return render(
        request, "web/conflict.html", {"message": message, "back_url": back_url}, status=409
    )


class ObjectListView(LoginRequiredMixin, View):
    """A filterable, sortable, paginated list of the objects the user may view.

    htmx requests aimed at the table (`hx-target="#object-table"`) get only the table back.
    """

    model = None
    filterset_class = None
    template_name = None
    table_template_name = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    per_page_choices = (25, 50, 100)
    paginator_class = Paginator
    # The kind of `gecrm.core.exporting` the list's 导出 menu exports (None: no menu), or a
    # template of the list's own export links. Either is rendered again with every htmx update
    # of the table (out of band), so that it always exports the filters and sort shown.
    export_kind: str | None = None
    export_menu_template: str | None = None

    def get_queryset(self, request):
        qs = self.model.objects.restrict(request.user, "view")
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def customize_filter_form(self, form, request) -> None:
        """Hook: swap widgets (e.g. a select of org units for a code input). Call super()."""
        for field in form.fields.values():
            # A blank choice in a filter means "any value", so say so instead of "---------".
            # django-filters' choice fields prepend their `empty_label` when iterated.
            # The widget keeps a shallow copy of the class-level field's iterator, so point it at
            # this form's field again.
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("All")
                field.widget.choices = field.choices
            elif isinstance(field, forms.ChoiceField) and field.choices:
                field.choices = [("", _("All"))] + [c for c in field.choices if c[0] != ""]

    def get_extra_context(self, request) -> dict:
        return {}

    def get_export_query(self, request) -> str:
        """The list's filters and sort as the export links carry them (no page, no blanks)."""
        query = request.GET.copy()
        for key in ("page", "per_page"):
            query.pop(key, None)
        for key, values in list(query.lists()):
            query.setlist(key, [value for value in values if value])
        return query.urlencode()

    def get_per_page(self, request) -> int:
        try:
            per_page = int(request.GET.get("per_page", ""))
        except ValueError:
            return self.per_page_choices[0]
        return per_page if per_page in self.per_page_choices else self.per_page_choices[0]

    def get(self, request):
        filterset = self.filterset_class(
            request.GET, queryset=self.get_queryset(request), request=request
        )
        self.customize_filter_form(filterset.form, request)
        # Invalid filter values are shown as errors; the valid ones still apply.
        filterset.is_valid()
        paginator = self.paginator_class(filterset.qs, self.get_per_page(request))
        page = paginator.get_page(request.GET.get("page"))
        ordering = request.GET.get("ordering", "")
        context = {
            "model_meta": self.model._meta,
            "filterset": filterset,
            "filter_form": filterset.form,
            "paginator": paginator,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "object_list": page.object_list,
            "per_page": paginator.per_page,
            "per_page_choices": self.per_page_choices,
            "ordering": ordering,
            "is_filtered": any(
                v for k, v in request.GET.items() if k not in ("page", "per_page", "ordering")
            ),
            "table_template": self.table_template_name,
            "export_kind": self.export_kind,
            "export_menu_template": self.export_menu_template
            or ("web/includes/export_menu.html" if self.export_kind else None),
            "export_query": self.get_export_query(request),
            **self.get_extra_context(request),
        }
        if request.htmx and request.htmx.target == TABLE_TARGET:
            return render(request, self.table_template_name, context)
        return render(request, self.template_name, context)


def object_history(obj, limit: int = 20):
    """The latest change log entries of `obj`, newest first."""
    return ObjectChange.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-time", "-id")[:limit]


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _as_pair(values):
    if isinstance(values, list):
        return tuple((values + [None, None])[:2])
    return None, values


def _names_by_pk(model, ids) -> dict[str, str]:
    try:
        return {str(pk): str(obj) for pk, obj in model._base_manager.in_bulk(ids).items()}
    except (ValueError, TypeError, ValidationError):
        # Some entries name the related object otherwise (an API token's user by username).
        return {}


def change_rows(entries, model):
    """ObjectChange entries as templates show them: fields by verbose name, choices by label and
    foreign keys (logged as ids) by the related object's name, one query per related model.

    Personal data (a contact's phone, e-mail) is masked: the clear values are revealed only by
    the explicit, logged action of `gecrm.audit`."""
    from gecrm.audit.masking import mask_changes

    entries = list(entries)
    masked = {id(entry): mask_changes(entry.object_type, entry.changes or {}) for entry in entries}
    wanted = defaultdict(set)
    for entry in entries:
        for name, values in masked[id(entry)].items():
            field = _model_field(model, name)
            if field is not None and field.many_to_one and field.concrete:
                wanted[field.related_model].update(v for v in _as_pair(values) if v is not None)
    related_names = {related: _names_by_pk(related, ids) for related, ids in wanted.items()}

    def shown(field, value):
        if value is None or field is None:
            return value
        if field.many_to_one and field.concrete:
            return related_names[field.related_model].get(str(value), value)
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        return value

    rows = []
    for entry in entries:
        fields = []
        for name, values in masked[id(entry)].items():
            field = _model_field(model, name)
            if field is None:
                label = name
            else:
                # A reverse relation (e.g. a staff member's posts) is named by its model.
                label = getattr(field, "verbose_name", None) or (
                    field.related_model._meta.verbose_name_plural
                )
            before, after = (shown(field, v) for v in _as_pair(values))
            fields.append({"label": label, "before": before, "after": after})
        rows.append({"entry": entry, "fields": fields})
    return rows


class ObjectDetailView(LoginRequiredMixin, View):
    """One object, looked up by its code in the user's restricted queryset.

    The context carries `object` and its change `history` (see `get_history`).
    """

    model = None
    template_name = None
    lookup_field = "code"
    lookup_url_kwarg = None  # defaults to lookup_field
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        qs = self.model.objects.restrict(request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs

    def get_object(self, request, **kwargs):
        value = kwargs[self.lookup_url_kwarg or self.lookup_field]
        return get_object_or_404(self.get_queryset(request), **{self.lookup_field: value})

    def get_history(self, request, obj):
        return change_rows(object_history(obj), self.model)

    def get_extra_context(self, request, obj) -> dict:
        return {}

    def get(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        context = {
            "object": obj,
            "model_meta": self.model._meta,
            "history": self.get_history(request, obj),
        }
        context.update(self.get_extra_context(request, obj))
        return render(request, self.template_name, context)


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no lookup in the URL) or edit an object with a ModelForm and the app's actions.

    `create_action(fields, *, actor, source)` and
    `update_action(obj, changes, *, expected_version, actor, source)` do the writing. An edit
    carries the version the user loaded in a hidden field: if someone saved in between, the
    action raises StaleObjectError and the user gets a 409 page with nothing written.
    """

    model = None
    form_class = None
    template_name = "web/object_edit.html"
    lookup_field = "code"
    lookup_url_kwarg = None  # defaults to lookup_field
    create_action = None
    update_action = None

    def get_queryset(self, request):
        return self.model.objects.restrict(request.user, "change")

    def get_object(self, request, **kwargs):
        kwarg = self.lookup_url_kwarg or self.lookup_field
        if kwarg not in kwargs:
            self.check_may_create(request)
            return None
        return get_object_or_404(self.get_queryset(request), **{self.lookup_field: kwargs[kwarg]})

    def check_may_create(self, request) -> None:
        """The create page answers 403 to a user whose posts create nothing of the kind."""
        if not may_create(self.model, request.user):
            raise PermissionDenied(str(CreateForbidden(self.model)))

    def get_form_kwargs(self, request, obj) -> dict:
        return {}

    def get_form(self, request, obj, data=None):
        # The form validates a copy: the action must see the object as it was loaded.
        instance = copy.copy(obj) if obj is not None else None
        form = self.form_class(data=data, instance=instance, **self.get_form_kwargs(request, obj))
        if obj is not None:
            # A ModelForm's initial value of a foreign key is the raw id; a choice field keyed by
            # another column (`to_field_name="code"`) would then show nothing selected.
            for name, field in form.fields.items():
                key = getattr(field, "to_field_name", None)
                related_id = form.initial.get(name)
                if key and related_id is not None and not isinstance(related_id, str):
                    related = getattr(obj, name, None)
                    form.initial[name] = getattr(related, key, related_id)
            form.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=obj.version
            )
        return form

    def form_fields(self, form) -> dict:
        """The values the action receives: every editable field the form shows."""
        return {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "version" and not form.fields[name].disabled
        }

    def create(self, request, fields: dict):
        return type(self).create_action(fields, actor=request.user, source="web")

    def update(self, request, obj, fields: dict, expected_version: int):
        return type(self).update_action(
            obj, fields, expected_version=expected_version, actor=request.user, source="web"
        )

    def get_success_url(self, obj) -> str:
        raise NotImplementedError

    def get_cancel_url(self, obj) -> str:
        return self.get_success_url(obj) if obj is not None else "."

    def get_extra_context(self, request, obj) -> dict:
        return {}

    def render_form(self, request, obj, form, status=200):
        context = {
            "object": obj,
            "form": form,
            "model_meta": self.model._meta,
            "is_create": obj is None,
            "cancel_url": self.get_cancel_url(obj),
            **self.get_extra_context(request, obj),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        return self.render_form(request, obj, self.get_form(request, obj))

    def post(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        form = self.get_form(request, obj, data=request.POST)
        if form.is_valid():
            fields = self.form_fields(form)
            try:
                if obj is None:
                    obj = self.create(request, fields)
                    messages.success(request, _("%(object)s was created.") % {"object": obj})
                else:
                    self.update(request, obj, fields, form.cleaned_data["version"])
                    messages.success(request, _("%(object)s was saved.") % {"object": obj})
            except ValidationError as error:
                add_validation_errors(form, error)
            except OutsideScopeError as error:
                # The pickers offer only what the user may create under; what slips past them
                # (a combination outside the scope) is an error on the field that put it there.
                if error.field not in form.fields:
                    raise Http404(str(error)) from error
                form.add_error(error.field, str(error))
            except StaleObjectError as error:
                return render_conflict(request, str(error), self.get_cancel_url(obj))
            else:
                return redirect(self.get_success_url(obj))
        return self.render_form(request, obj, form, status=200)
