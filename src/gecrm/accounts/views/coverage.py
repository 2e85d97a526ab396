"""Pages of the accounts app: coverage (filled in by its issue's work)."""

urlpatterns: list = []
