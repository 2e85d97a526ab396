"""Pages of the web UI: dashboard, org tree, staff, customers, contacts and products.

Reads go through `restrict(user, action)` (via the generic views in `gecrm.core.views`);
writes go through each app's actions.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, StrIndex, Substr
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gecrm.access.scopes import why_visible
from gecrm.accounts.choices import Role
from gecrm.accounts.models import Assignment, active_on_q
from gecrm.audit.actions import do_reveal_personal_data
from gecrm.audit.forms import protect_personal_fields
from gecrm.audit.masking import can_view_personal_data
from gecrm.catalog.actions import do_create_product, do_update_product
from gecrm.catalog.filtersets import ProductFilterSet
from gecrm.catalog.forms import ProductForm
from gecrm.catalog.models import Product
from gecrm.core.changes import describe_entries
from gecrm.core.models import ObjectChange
from gecrm.core.paging import IdsFirstPaginator
from gecrm.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    change_rows,
)
from gecrm.customers.actions import (
    do_add_contact,
    do_create_customer,
    do_update_contact,
    do_update_customer,
)
from gecrm.customers.choices import Segment
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.customers.forms import ContactForm, CustomerForm
from gecrm.customers.models import Contact, Customer
from gecrm.customers.search import matching_contacts
from gecrm.kpi.views import kpi_summary
from gecrm.org.actions import do_create_org_unit, do_update_org_unit, do_update_staff
from gecrm.org.choices import OrgUnitKind, RegionLevel
from gecrm.org.filtersets import StaffFilterSet
from gecrm.org.forms import INDENT, OrgUnitForm, StaffForm
from gecrm.org.models import OrgUnit, Region, Staff

from . import customer360

# How many children a tree level shows before linking to the full list instead.
TREE_PAGE = 50
# Region → its full name needs the parent chain (county → prefecture → province).
REGION_CHAIN = "region__parent__parent"
FILTER_UNIT_KINDS = [
    OrgUnitKind.GROUP,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.DISTRICT,
    OrgUnitKind.CENTRE,
]


# ---------------------------------------------------------------- shared helpers


def org_unit_choices(user, blank_label):
    """Org units (not teams) as an indented tree for a filter select, keyed by code."""
    units = (
        OrgUnit.objects.restrict(user, "view")
        .filter(kind__in=FILTER_UNIT_KINDS)
        .order_by("path")
        .values_list("code", "name", "depth")
    )
    return [("", blank_label)] + [(code, INDENT * depth + name) for code, name, depth in units]


def region_choices(blank_label):
    """Provinces with their prefectures, grouped, for a filter select keyed by division code."""
    rows = Region.objects.filter(
        level__in=[RegionLevel.PROVINCE, RegionLevel.PREFECTURE]
    ).values_list("code", "name", "level", "parent_id")
    provinces, prefectures = {}, {}
    for code, name, level, parent_id in rows:
        if level == RegionLevel.PROVINCE:
            provinces[code] = name
        else:
            prefectures.setdefault(parent_id, []).append((code, name))
    groups = [("", blank_label)]
    for code, name in provinces.items():
        members = [(code, _("%(province)s (all)") % {"province": name})]
        members += [(c, INDENT + n) for c, n in prefectures.get(code, []) if n != "市辖区"]
        groups.append((name, members))
    return groups


def count_subquery(queryset, outer_field="pk", lookup="parent"):
    """A correlated COUNT over `queryset` for annotating each row (one query for a whole page).

    A plain COUNT() Func, not the Count aggregate, so the subquery gets no GROUP BY.
    """
    counted = (
        queryset.filter(**{lookup: OuterRef(outer_field)})
        .order_by()
        .annotate(n=Func("pk", function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# ---------------------------------------------------------------- dashboard


@login_required
def home(request):
    user = request.user
    customers = Customer.objects.restrict(user, "view")
    by_segment = dict(
        customers.order_by()
        .values_list("segment")
        .annotate(n=Count("pk"))
        .values_list("segment", "n")
    )
    segment_data = [
        {"code": seg.value, "name": str(seg.label), "value": by_segment.get(seg.value, 0)}
        for seg in Segment
    ]
    stats = [
        {
            "label": _("Org units"),
            "value": OrgUnit.objects.restrict(user, "view").count(),
            "icon": "sitemap",
            "color": "bg-indigo-lt",
            "url": reverse("web:org_tree"),
        },
        {
            "label": _("Customers"),
            "value": customers.count(),
            "icon": "building",
            "color": "bg-blue-lt",
            "url": reverse("web:customer_list"),
        },
        {
            # A customer group: a top-level customer with branches or of 党政军/金融/大企业
            # (`CustomerQuerySet.groups`); a top-level SME shop is not one.
            "label": _("Customer groups"),
            "value": customers.count_groups(),
            "icon": "crown",
            "color": "bg-yellow-lt",
            "url": reverse("web:customer_list") + "?group=true",
        },
        {
            "label": _("Staff"),
            "value": Staff.objects.restrict(user, "view").count(),
            "icon": "users",
            "color": "bg-green-lt",
            "url": reverse("web:staff_list"),
        },
        {
            "label": _("Products"),
            "value": Product.objects.restrict(user, "view").count(),
            "icon": "package",
            "color": "bg-purple-lt",
            "url": reverse("web:product_list"),
        },
    ]
    # The change log is not scoped per row yet, so only administrators see everyone's changes.
    changes = (
        ObjectChange.objects.all() if user.is_superuser else ObjectChange.objects.filter(actor=user)
    )
    recent = describe_entries(changes.order_by("-time", "-id")[:8], user)
    return render(
        request,
        "web/home.html",
        {
            "stats": stats,
            "segment_data": segment_data,
            "recent_changes": recent,
            "largest_groups": largest_groups(customers),
            "kpi_summary": kpi_summary(user),
        },
    )


def largest_groups(customers, limit=8):
    """The customer groups with the most members (branches at any depth) the user can see.

    The group of a branch is the first code of its materialised path: one grouped query, then
    the top-level customers by code.
    """
    rest = Substr("path", 2)
    root_code = Substr("path", 2, StrIndex(rest, Value("/")) - 1)
    sizes = list(
        customers.filter(depth__gt=0)
        .order_by()
        .annotate(root=root_code)
        .values("root")
        .annotate(n=Count("pk"))
        .order_by("-n", "root")[:limit]
    )
    roots = customers.select_related("org_unit").in_bulk(
        [row["root"] for row in sizes], field_name="code"
    )
    return [
        {"customer": roots[row["root"]], "branches": row["n"]}
        for row in sizes
        if row["root"] in roots
    ]


# ---------------------------------------------------------------- org units


def _org_nodes(user, queryset):
    staff = Staff.objects.restrict(user, "view")
    return (
        queryset.select_related(REGION_CHAIN)
        .annotate(
            child_count=count_subquery(OrgUnit.objects.restrict(user, "view")),
            staff_count=count_subquery(
                staff, outer_field="path", lookup="org_unit__path__startswith"
            ),
        )
        .order_by("path")
    )


@login_required
def org_tree(request):
    units = OrgUnit.objects.restrict(request.user, "view")
    top_depth = units.order_by("depth").values_list("depth", flat=True).first()
    roots = list(_org_nodes(request.user, units.filter(depth=top_depth or 0)))
    # The top level is opened on arrival: a national tree starts with the provinces in view.
    children = list(_org_nodes(request.user, units.filter(parent__in=roots)))
    for root in roots:
        root.children_list = [c for c in children if c.parent_id == root.pk]
    return render(request, "web/org/tree.html", {"roots": roots, "unit_count": units.count()})


@login_required
@require_GET
def orgunit_children(request, code):
    units = OrgUnit.objects.restrict(request.user, "view")
    unit = get_object_or_404(units, code=code)
    children = list(_org_nodes(request.user, units.filter(parent=unit)))
    return render(request, "web/org/tree_nodes.html", {"nodes": children})


class OrgUnitDetailView(ObjectDetailView):
    model = OrgUnit
    template_name = "web/org/unit_detail.html"
    select_related = (REGION_CHAIN, "parent")

    def get_extra_context(self, request, obj):
        user = request.user
        staff = Staff.objects.restrict(user, "view")
        members = list(
            staff.filter(org_unit=obj).select_related("user").prefetch_related("posts")[:100]
        )
        return {
            "ancestors": list(
                OrgUnit.objects.restrict(user, "view")
                .filter(code__in=obj.ancestor_codes)
                .order_by("depth")
            ),
            "children": list(
                _org_nodes(user, OrgUnit.objects.restrict(user, "view").filter(parent=obj))
            ),
            "members": members,
            "member_count": staff.filter(org_unit=obj).count(),
            "subtree_staff_count": staff.filter(org_unit__path__startswith=obj.path).count(),
            "customer_count": Customer.objects.restrict(user, "view")
            .filter(org_unit__path__startswith=obj.path)
            .count(),
        }


class OrgUnitEditView(ObjectEditView):
    model = OrgUnit
    form_class = OrgUnitForm
    template_name = "web/org/unit_edit.html"
    create_action = do_create_org_unit
    update_action = do_update_org_unit

    def get_form_kwargs(self, request, obj):
        return {"user": request.user}

    def get_success_url(self, obj):
        return reverse("web:orgunit_detail", args=[obj.code])

    def get_cancel_url(self, obj):
        return self.get_success_url(obj) if obj is not None else reverse("web:org_tree")


# ---------------------------------------------------------------- staff


class StaffListView(ObjectListView):
    model = Staff
    filterset_class = StaffFilterSet
    template_name = "web/staff/list.html"
    table_template_name = "web/staff/table.html"
    export_kind = "staff"
    select_related = ("user", "org_unit")
    prefetch_related = ("posts",)

    def customize_filter_form(self, form, request):
        super().customize_filter_form(form, request)
        form.fields["org_unit"].widget = forms.Select(
            choices=org_unit_choices(request.user, _("All"))
        )
        form.fields["q"].widget.attrs["placeholder"] = _("Username or name")


class StaffDetailView(ObjectDetailView):
    model = Staff
    template_name = "web/staff/detail.html"
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    select_related = ("user", "org_unit__region__parent__parent")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("posts")

    def get_extra_context(self, request, obj):
        units = OrgUnit.objects.restrict(request.user, "view")
        return {
            "ancestors": list(units.filter(code__in=obj.org_unit.ancestor_codes).order_by("depth"))
        }


class StaffEditView(ObjectEditView):
    """Edit a staff profile (logins are created by import or the administration site)."""

    model = Staff
    form_class = StaffForm
    template_name = "web/staff/edit.html"
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    update_action = do_update_staff

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "org_unit")

    def get_form_kwargs(self, request, obj):
        return {"user": request.user}

    def get_success_url(self, obj):
        return reverse("web:staff_detail", args=[obj.user.username])


# ---------------------------------------------------------------- customers


class CustomerListView(ObjectListView):
    model = Customer
    filterset_class = CustomerFilterSet
    template_name = "web/customers/list.html"
    table_template_name = "web/customers/table.html"
    export_kind = "customers"
    select_related = (REGION_CHAIN, "org_unit", "parent")
    # A scoped million-row list sorts (code, id) from an index, then joins only the page.
    paginator_class = IdsFirstPaginator

    def get_queryset(self, request):
        # The account managers column: today's `am` assignments of the page's customers (already
        # in the user's scope), one query per page (the page's rows are fetched by id).
        managers = (
            Assignment._base_manager.filter(active_on_q(timezone.localdate()), role=Role.AM)
            .select_related("user__staff")
            .order_by("start", "user__username")
        )
        return (
            super()
            .get_queryset(request)
            .with_branch_flag()  # `has_branches` for the 总部 badge (`Customer.is_group`)
            .prefetch_related(Prefetch("assignments", managers, to_attr="account_managers"))
        )

    def get_extra_context(self, request):
        # A complete phone number or e-mail address names contacts: show them (masked) with
        # their customer, among the customers the user may see.
        query = request.GET.get("q", "")
        if not query.strip():
            return {}
        customers = Customer.objects.restrict(request.user, "view")
        return {"matched_contacts": matching_contacts(customers, query)}

    def customize_filter_form(self, form, request):
        super().customize_filter_form(form, request)
        form.fields["org_unit"].widget = forms.Select(
            choices=org_unit_choices(request.user, _("All"))
        )
        form.fields["region"].widget = forms.Select(choices=region_choices(_("All")))
        form.fields["headquarters"].widget = forms.Select(
            choices=[("", _("All")), ("true", _("Headquarters only")), ("false", _("Branches"))]
        )
        form.fields["headquarters"].label = _("Level")
        form.fields["group"].widget = forms.Select(
            choices=[("", _("All")), ("true", _("Customer groups only")), ("false", _("Others"))]
        )
        form.fields["q"].label = _("Search")
        form.fields["q"].widget.attrs["placeholder"] = _(
            "Name, pinyin, code, USCC, contact or complete phone"
        )
        # The parent filter is reached through links ("all branches"), not typed.
        form.fields["parent"].widget = forms.HiddenInput()


def _customer_nodes(queryset, scope):
    return queryset.select_related("org_unit").annotate(child_count=count_subquery(scope))


def _first_children(scope, parent_ids):
    """The first TREE_PAGE children (by code) of each parent, in one query."""
    ranked = _customer_nodes(scope.filter(parent_id__in=parent_ids), scope).annotate(
        rank=Window(RowNumber(), partition_by="parent_id", order_by="code")
    )
    return list(ranked.filter(rank__lte=TREE_PAGE).order_by("parent_id", "code"))


def build_group_tree(user, customer):
    """The customer's group from its top visible ancestor down to it, each level's first page
    of branches loaded, the rest expandable on demand. A constant number of queries."""
    scope = Customer.objects.restrict(user, "view")
    chain = list(
        _customer_nodes(
            scope.filter(code__in=[*customer.ancestor_codes, customer.code]), scope
        ).order_by("depth")
    )
    children = _first_children(scope, [node.pk for node in chain])
    by_parent = {}
    for child in children:
        by_parent.setdefault(child.parent_id, []).append(child)
    chain_by_pk = {node.pk: node for node in chain}
    for node in chain:
        kids = by_parent.get(node.pk, [])
        for i, kid in enumerate(kids):
            if kid.pk in chain_by_pk:
                kids[i] = chain_by_pk[kid.pk]  # the path to the current customer stays open
        nxt = next((n for n in chain if n.parent_id == node.pk), None)
        if nxt is not None and nxt not in kids:
            kids.append(nxt)  # on the path but beyond the first page: still shown
        node.children_list = kids
        node.more = max(0, node.child_count - len(kids))
    return chain[0] if chain else None


class CustomerDetailView(ObjectDetailView):
    model = Customer
    template_name = "web/customers/detail.html"
    select_related = (REGION_CHAIN, "org_unit", "parent")

    def get_history(self, request, obj):
        # The customer's own changes and those of its contacts, in one list.
        contact_ids = [str(c.pk) for c in self.contacts]
        history = ObjectChange.objects.filter(
            Q(object_type="customers.customer", object_id=str(obj.pk))
            | Q(object_type="customers.contact", object_id__in=contact_ids)
        ).order_by("-time", "-id")[:20]
        return change_rows(history, Customer)

    def get_object(self, request, **kwargs):
        obj = super().get_object(request, **kwargs)
        self.contacts = list(obj.contacts.all())
        return obj

    def get_extra_context(self, request, obj):
        user = request.user
        # Customer 360: money of the customer and its group, through the money scope.
        financials = customer360.customer_financials(user, obj)
        tree_root = build_group_tree(user, obj)
        if tree_root is not None:
            customer360.annotate_tree_revenue(
                user,
                customer360.tree_nodes(tree_root),
                tree_root.path,
                financials.month if financials else None,
            )
        return {
            "contacts": self.contacts,
            "tree_root": tree_root,
            "financials": financials,
            "team": customer360.account_team(user, obj),
            "can_change": Customer.objects.restrict(user, "change").filter(pk=obj.pk).exists(),
            "why_visible": why_visible(user, obj),
            "assignments": list(
                Assignment.objects.restrict(user, "view")
                .filter(customer=obj)
                .select_related("user__staff")
                .order_by("-start", "role")[:20]
            ),
        }


@login_required
@require_GET
def customer_children(request, code):
    scope = Customer.objects.restrict(request.user, "view")
    node = get_object_or_404(scope, code=code)
    children = list(
        _customer_nodes(scope.filter(parent=node), scope).order_by("code")[: TREE_PAGE + 1]
    )
    more = 0
    if len(children) > TREE_PAGE:
        children = children[:TREE_PAGE]
        more = scope.filter(parent=node).count() - TREE_PAGE
    customer360.annotate_tree_revenue(request.user, children, node.path)
    return render(
        request,
        "web/customers/tree_nodes.html",
        {
            "nodes": children,
            "parent": node,
            "more": more,
            "current_code": request.GET.get("current", ""),
        },
    )


class CustomerEditView(ObjectEditView):
    model = Customer
    form_class = CustomerForm
    template_name = "web/customers/edit.html"
    create_action = do_create_customer
    update_action = do_update_customer

    def get_form_kwargs(self, request, obj):
        return {"user": request.user}

    def get_success_url(self, obj):
        return reverse("web:customer_detail", args=[obj.code])

    def get_cancel_url(self, obj):
        if obj is None:
            return reverse("web:customer_list")
        return self.get_success_url(obj)


class ContactEditView(ObjectEditView):
    """Add (no pk) or edit a contact of a customer the user may change."""

    model = Contact
    form_class = ContactForm
    template_name = "web/customers/contact_edit.html"
    update_action = do_update_contact

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.customer = None

    def get_customer(self, request, code):
        if self.customer is None:
            self.customer = get_object_or_404(
                Customer.objects.restrict(request.user, "change"), code=code
            )
        return self.customer

    def get_object(self, request, **kwargs):
        if "pk" not in kwargs:
            self.check_may_create(request)
        customer = self.get_customer(request, kwargs["code"])
        if "pk" not in kwargs:
            return None
        return get_object_or_404(
            Contact.objects.restrict(request.user, "change"), customer=customer, pk=kwargs["pk"]
        )

    def create(self, request, fields):
        return do_add_contact(self.customer, fields, actor=request.user, source="web")

    def get_form(self, request, obj, data=None):
        # Without the right, phone and e-mail are shown masked and cannot be changed here.
        form = super().get_form(request, obj, data)
        protect_personal_fields(form, obj, request.user)
        return form

    def get(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        if obj is not None and can_view_personal_data(request.user):
            # The edit form shows the clear values: that is a reveal, and it is logged.
            do_reveal_personal_data(obj, actor=request.user, source="web", reason="edit")
        return self.render_form(request, obj, self.get_form(request, obj))

    def get_success_url(self, obj):
        return reverse("web:customer_detail", args=[self.customer.code])

    def get_cancel_url(self, obj):
        return self.get_success_url(obj)

    def get_extra_context(self, request, obj):
        return {"customer": self.customer}


# ---------------------------------------------------------------- products


class ProductListView(ObjectListView):
    model = Product
    filterset_class = ProductFilterSet
    template_name = "web/catalog/product_list.html"
    table_template_name = "web/catalog/product_table.html"
    export_kind = "products"

    def customize_filter_form(self, form, request):
        super().customize_filter_form(form, request)
        form.fields["is_ict"].widget = forms.Select(
            choices=[("", _("All")), ("true", _("ICT")), ("false", _("Basic communications"))]
        )
        form.fields["q"].widget.attrs["placeholder"] = _("Name or code")


class ProductDetailView(ObjectDetailView):
    model = Product
    template_name = "web/catalog/product_detail.html"


class ProductEditView(ObjectEditView):
    model = Product
    form_class = ProductForm
    template_name = "web/catalog/product_edit.html"
    create_action = do_create_product
    update_action = do_update_product

    def get_success_url(self, obj):
        return reverse("web:product_detail", args=[obj.code])

    def get_cancel_url(self, obj):
        return self.get_success_url(obj) if obj is not None else reverse("web:product_list")
