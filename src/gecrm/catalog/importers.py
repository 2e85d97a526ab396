"""`gecrm import products` (DESIGN.md "Exchange formats")."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.core.exporting import Exporter, ReportColumn, register_exporter
from gecrm.core.importing import (
    BOOLEANS,
    TableImporter,
    choices_hint,
    code_error,
    label_lookup,
    register,
)

from .actions import ict_flag_changed
from .choices import ProductCategory
from .filtersets import ProductFilterSet
from .models import Product


@register
class ProductImporter(TableImporter):
    scope_model = Product
    kind = "products"
    model = Product
    columns = ("code", "name", "category", "is_ict")
    chinese_headers = {
        "code": "产品编码",
        "name": "产品名称",
        "category": "产品类别",
        "is_ict": "是否ICT",
    }
    required = ("code", "name", "category", "is_ict")
    text_columns = ("code",)
    fields = ("name", "category", "is_ict")

    def prepare(self) -> None:
        self.categories = label_lookup(ProductCategory)
        self.max_name = Product._meta.get_field("name").max_length

    def parse(self, row, v):
        code, name, category, is_ict = v
        if not code:
            self.required_issue(row, "code")
        elif error := code_error(code):
            self.issue(row, "code", code, error)
        if not name:
            self.required_issue(row, "name")
        elif len(name) > self.max_name:
            self.issue(row, "name", name, _("At most %(n)d characters.") % {"n": self.max_name})
        cat = None
        if not category:
            self.required_issue(row, "category")
        else:
            cat = self.categories.get(category.lower())
            if cat is None:
                self.issue(
                    row,
                    "category",
                    category,
                    _("Unknown value. Use one of: %(choices)s.")
                    % {"choices": choices_hint(ProductCategory)},
                )
        flag = None
        if not is_ict:
            self.required_issue(row, "is_ict")
        else:
            flag = BOOLEANS.get(is_ict.lower())
            if flag is None:
                self.issue(row, "is_ict", is_ict, _("Use true/false, 是/否 or 1/0."))
        if not code or code_error(code):
            return None  # other problems still go through the whole-file checks
        return (row, code, name, cat, flag)

    def write(self, progress) -> None:
        super().write(progress)
        # A flipped ICT flag changes every month's ICT revenue: rebuild it in this transaction.
        ict = 2 + self.fields.index("is_ict")
        if any(self.existing[r[1]][2][ict - 2] != r[ict] for r in self.changed):
            ict_flag_changed()


def product_columns(prefix: str = "product__") -> tuple[ReportColumn, ...]:
    """A product's code and name side by side (billing …)."""
    return (
        ReportColumn(gettext_lazy("Product code"), f"{prefix}code", "code"),
        ReportColumn(gettext_lazy("Product name"), f"{prefix}name", "name"),
    )


register_exporter(
    Exporter(
        kind="products",
        model=Product,
        columns=ProductImporter.columns,
        filterset_class=ProductFilterSet,
        fields=("code", "name", "category", "is_ict"),
        text_columns=ProductImporter.text_columns,
        row=lambda r: (r[0], r[1], r[2], "true" if r[3] else "false"),
        report=(
            *product_columns(""),
            ReportColumn(gettext_lazy("Category"), "category", "label", choices=ProductCategory),
            ReportColumn(gettext_lazy("ICT"), "is_ict", "bool"),
        ),
    )
)
