"""Pages of the accounts app: teams (filled in by its issue's work)."""

urlpatterns: list = []
