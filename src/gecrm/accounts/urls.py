from .views import coverage, pilots, teams

app_name = "accounts"

urlpatterns = [*teams.urlpatterns, *coverage.urlpatterns, *pilots.urlpatterns]
