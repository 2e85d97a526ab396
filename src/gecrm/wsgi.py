import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
application = get_wsgi_application()

# The objects of the loaded project (apps, models, settings: long-lived) leave the garbage
# collector's scans: a full collection over them cost 60-100 ms of some requests (the p95 of
# the KPI scorecard pages, bench/README.md "pages.py"). Memory is unchanged.
gc.freeze()
