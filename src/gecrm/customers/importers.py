"""`gecrm import customers`: the customer tree from CSV/.xlsx (DESIGN.md "Exchange formats")."""

import operator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.access.creating import creatable_org_units, creatable_parents, customer_blame
from gecrm.core.exporting import Exporter, ReportColumn, register_exporter
from gecrm.core.importing import (
    CHUNK,
    ImportIssue,
    TableImporter,
    choices_hint,
    code_error,
    coordinate_text,
    fetch_keyed,
    label_lookup,
    register,
)
from gecrm.org.importers import org_unit_columns, region_columns
from gecrm.org.models import OrgUnit, Region

from .choices import CustomerStatus, Industry, Segment, industry_segment
from .filtersets import CustomerFilterSet
from .grams import deferred_grams
from .models import Customer
from .pinyin import name_keys
from .uscc import ALPHABET, VALUES, WEIGHTS, uscc_error

_symbol_value = VALUES.__getitem__


def uscc_valid(code: str) -> bool:
    """The fast yes/no of `uscc_error` (C-level loops), for million-row files."""
    if len(code) != 18:
        return False
    try:
        total = sum(map(operator.mul, map(_symbol_value, code[:17]), WEIGHTS))
    except KeyError:
        return False
    return ALPHABET[-total % 31] == code[17]


@register
class CustomerImporter(TableImporter):
    scope_model = Customer
    kind = "customers"
    model = Customer
    columns = (
        "code", "name", "uscc", "segment", "industry", "parent_code", "region", "org_unit",
        "address", "lat", "lon",
    )  # fmt: skip
    chinese_headers = {
        "code": "客户编码", "name": "客户名称", "uscc": "统一社会信用代码", "segment": "细分市场",
        "industry": "行业", "parent_code": "上级客户编码", "region": "行政区划", "org_unit": "所属组织",
        "address": "地址", "lat": "纬度", "lon": "经度",
    }  # fmt: skip
    required = ("code", "name", "segment", "org_unit")
    text_columns = ("code", "uscc", "parent_code", "region", "org_unit")
    fields = (
        "name", "uscc", "segment", "industry", "parent", "region", "org_unit", "address", "lat",
        "lon",
    )  # fmt: skip
    derived_columns = ("name_pinyin", "name_initials")

    def derive(self, values: list) -> tuple:
        return name_keys(values[0])  # fields[0] is the name

    def bulk_insert(self):
        return deferred_grams()  # the name bigrams of the new rows in one sorted insert

    def prepare(self) -> None:
        self.segments = label_lookup(Segment)
        self.industries = label_lookup(Industry)
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.org_units = dict(self.scoped(OrgUnit).values_list("code", "id"))
        self.max_name = Customer._meta.get_field("name").max_length
        self.max_address = Customer._meta.get_field("address").max_length
        self.segment_hint = choices_hint(Segment)
        self.industry_hint = choices_hint(Industry)

    def parse(self, row, v):
        # Hot path for million-row files: local names, dict lookups, no queries.
        code, name, uscc, segment, industry, parent, region, org_unit, address, lat, lon = v
        issue = self.issue
        if not code:
            self.required_issue(row, "code")
        elif error := code_error(code):
            issue(row, "code", code, error)
        if not name:
            self.required_issue(row, "name")
        elif len(name) > self.max_name:
            issue(row, "name", name, _("At most %(n)d characters.") % {"n": self.max_name})
        uscc_ok = True
        if uscc:
            uscc = uscc.upper()
            if not uscc_valid(uscc):
                uscc_ok = False
                error = uscc_error(uscc)
                issue(
                    row,
                    "uscc",
                    uscc,
                    _("Invalid unified social credit code: %(reason)s") % {"reason": error},
                )
        seg = ""
        if not segment:
            self.required_issue(row, "segment")
        else:
            seg = self.segments.get(segment.lower())
            if seg is None:
                issue(
                    row,
                    "segment",
                    segment,
                    _("Unknown value. Use one of: %(choices)s.") % {"choices": self.segment_hint},
                )
        ind = ""
        if industry:
            ind = self.industries.get(industry.lower())
            if ind is None:
                issue(
                    row,
                    "industry",
                    industry,
                    _("Unknown value. Use one of: %(choices)s.") % {"choices": self.industry_hint},
                )
            elif seg and industry_segment(ind) != seg:
                issue(
                    row,
                    "industry",
                    industry,
                    _("Industry %(industry)s does not belong to segment %(segment)s.")
                    % {"industry": ind, "segment": seg},
                )
        if parent and (error := code_error(parent)):
            issue(row, "parent_code", parent, error)
        if region:
            if region not in self.regions:
                issue(
                    row,
                    "region",
                    region,
                    _("Unknown region: use a 6-digit GB/T 2260 division code."),
                )
        else:
            region = None
        org_id = None
        if not org_unit:
            self.required_issue(row, "org_unit")
        else:
            org_id = self.org_units.get(org_unit)
            if org_id is None:
                issue(row, "org_unit", org_unit, _("Unknown org unit code."))
        if len(address) > self.max_address:
            issue(row, "address", address, _("At most %(n)d characters.") % {"n": self.max_address})
        lat_text = lon_text = None
        if lat or lon:
            if not (lat and lon):
                column = "lon" if lat else "lat"
                issue(row, column, "", _("Give both latitude and longitude, or neither."))
            else:
                try:
                    lat_text = coordinate_text(lat, -90, 90)
                except ValueError as exc:
                    issue(row, "lat", lat, exc)
                try:
                    lon_text = coordinate_text(lon, -180, 180)
                except ValueError as exc:
                    issue(row, "lon", lon, exc)
        if not code or code_error(code):
            return None
        # A row with problems still takes part in the whole-file checks (duplicates, parents,
        # cycles) so that one pass reports everything; issues alone decide that nothing is written.
        if not uscc_ok:
            uscc = ""
        return (
            row,
            code,
            name,
            uscc,
            seg,
            ind,
            parent,
            region,
            org_id,
            address,
            lat_text,
            lon_text,
        )

    def check_unique_fields(self) -> None:
        """A USCC identifies one legal entity: at most one customer may carry it."""
        uscc_pos = 2 + self.fields.index("uscc")
        holder: dict[str, tuple] = {}  # uscc → the first record carrying it
        for record in self.by_code.values():
            uscc = record[uscc_pos]
            if not uscc:
                continue
            first = holder.setdefault(uscc, record)
            if first is not record:
                self.issue(
                    record[0],
                    "uscc",
                    uscc,
                    _("Duplicate unified social credit code: row %(row)d has it too.")
                    % {"row": first[0]},
                )
        if not holder:
            return
        queryset = Customer._base_manager.exclude(uscc="")
        for uscc, owner in fetch_keyed(queryset, "uscc", holder, ["uscc", "code"], scan=self._scan):
            record = holder.get(uscc)
            if record is None or owner == record[1]:
                continue
            # The owner may be giving its USCC up in this same file (two rows swapping codes).
            owner_record = self.by_code.get(owner)
            if owner_record is not None and owner_record[uscc_pos] != uscc:
                continue
            self.issue(
                record[0],
                "uscc",
                uscc,
                _("Another customer (%(code)s) already has this unified social credit code.")
                % {"code": owner},
            )

    def outside_scope_issues(self, records):
        """New customers the importer could not edit, blamed on their org unit, their parent or
        their segment / industry, as the create action does (`gecrm.access.creating`)."""
        pos = {name: 2 + self.fields.index(name) for name in ("org_unit", "parent", "industry")}
        units = set(creatable_org_units(self.actor).values_list("pk", flat=True))
        parents = sorted({r[pos["parent"]] for r in records if r[pos["parent"]]})
        editable: set[str] = set()
        for start in range(0, len(parents), CHUNK):
            editable.update(
                creatable_parents(Customer, self.actor)
                .filter(code__in=parents[start : start + CHUNK])
                .values_list("code", flat=True)
            )
        unit_codes = {pk: code for code, pk in self.org_units.items()}
        issues = []
        for record in records:
            parent = record[pos["parent"]]
            field, message = customer_blame(
                self.actor,
                unit_ok=record[pos["org_unit"]] in units,
                parent_given=bool(parent),
                parent_ok=parent in editable,
            )
            column, value = {
                "org_unit": ("org_unit", unit_codes.get(record[pos["org_unit"]], "")),
                "parent": ("parent_code", parent),
                "industry": ("industry", record[pos["industry"]]),
            }[field]
            issues.append(ImportIssue(record[0], column, value or "", str(message)))
        return issues

    def before_update(self) -> None:
        """Free the USCCs that change hands before writing, so a swap never hits the index."""
        uscc_pos = self.fields.index("uscc")
        ids = []
        for record in self.changed:
            pk, _version, old_values, _path, _parent = self.existing[record[1]]
            if old_values[uscc_pos] and old_values[uscc_pos] != record[2 + uscc_pos]:
                ids.append(pk)
        for start in range(0, len(ids), CHUNK):
            Customer._base_manager.filter(pk__in=ids[start : start + CHUNK]).update(uscc="")


def customer_columns(prefix: str = "customer__") -> tuple[ReportColumn, ...]:
    """A customer's code and name side by side (billing, assignments, pilots …)."""
    return (
        ReportColumn(gettext_lazy("Customer code"), f"{prefix}code", "code"),
        ReportColumn(gettext_lazy("Customer name"), f"{prefix}name", "name"),
    )


register_exporter(
    Exporter(
        kind="customers",
        model=Customer,
        columns=CustomerImporter.columns,
        filterset_class=CustomerFilterSet,
        fields=(
            "code",
            "name",
            "uscc",
            "segment",
            "industry",
            "parent__code",
            "region_id",
            "org_unit__code",
            "address",
            "lat",
            "lon",
        ),  # fmt: skip
        order_by=("path",),
        text_columns=CustomerImporter.text_columns,
        # The accounts app adds the account managers (gecrm.accounts.importers).
        report=(
            *customer_columns(""),
            ReportColumn(gettext_lazy("USCC"), "uscc", "code", width=22),
            ReportColumn(gettext_lazy("Segment"), "segment", "label", choices=Segment),
            ReportColumn(gettext_lazy("Industry"), "industry", "label", choices=Industry),
            ReportColumn(gettext_lazy("Parent customer code"), "parent__code", "code"),
            ReportColumn(gettext_lazy("Parent customer"), "parent__name", "name"),
            *region_columns(),
            *org_unit_columns(),
            ReportColumn(gettext_lazy("Status"), "status", "label", choices=CustomerStatus),
            ReportColumn(gettext_lazy("Address"), "address", "name"),
        ),
    )
)
