from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "gecrm.kpi"
    verbose_name = _("KPIs")

    def ready(self):
        # Recompute snapshots after billing imports and assignment changes (signals sent on
        # commit by finance and accounts).
        from gecrm.accounts.signals import assignments_changed
        from gecrm.finance.signals import revenue_changed

        from . import jobs

        revenue_changed.connect(jobs.on_revenue_changed, dispatch_uid="kpi.revenue_changed")
        assignments_changed.connect(
            jobs.on_assignments_changed, dispatch_uid="kpi.assignments_changed"
        )
