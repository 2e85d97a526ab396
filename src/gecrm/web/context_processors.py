"""What every page's layout needs: the navigation and which section is active."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gecrm.access.scopes import grant_of, sees_all_money, sees_some_money
from gecrm.core.importing import can_import

# (section key, label, url name, icon); the imports page belongs to another module and may be
# absent in a partial install, so a missing URL hides its entry instead of breaking every page.
SECTIONS = [
    ("home", _("Dashboard"), "web:home", "home"),
    ("org", _("Organisation"), "web:org_tree", "sitemap"),
    ("staff", _("Staff"), "web:staff_list", "users"),
    ("customers", _("Customers"), "web:customer_list", "building"),
    ("products", _("Products"), "web:product_list", "package"),
    ("imports", _("Data import"), "imports:index", "upload"),
]

# url name prefix → section, for pages below a section's index.
SECTION_OF_URL = {
    "home": "home",
    "org": "org",
    "orgunit": "org",
    "staff": "staff",
    "customer": "customers",
    "contact": "customers",
    "product": "products",
}


def _active_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if "imports" in match.namespaces:
        return "imports"
    name = match.url_name or ""
    return SECTION_OF_URL.get(name.split("_", 1)[0], "")


def nav_permissions(user) -> dict[str, bool]:
    """Which parts of the navigation the user's posts can use: the imports for importers, the
    billing batches for importers and those who see every batch, the money pages (KPI
    scorecards, vertical teams, coverage, pilot programmes) for anyone who sees some money."""
    # The posts from the user's grant, which the page's scoped queries load anyway.
    importer = can_import(user, posts=None if user.is_superuser else grant_of(user).posts)
    return {
        "imports": importer,
        "batches": importer or sees_all_money(user),
        "money": sees_some_money(user),
    }


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_section": "", "nav_can": {}}
    active = _active_section(request)
    can = nav_permissions(user)
    items = []
    for key, label, url_name, icon in SECTIONS:
        if key in can and not can[key]:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"key": key, "label": label, "url": url, "icon": icon, "active": key == active}
        )
    return {"nav_items": items, "nav_section": active, "nav_can": can}
