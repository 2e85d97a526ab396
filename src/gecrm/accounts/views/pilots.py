"""Pages of the accounts app: pilots (filled in by its issue's work)."""

urlpatterns: list = []
