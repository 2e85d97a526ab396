"""The accounts app's pages, one module per area: vertical teams, coverage and org alignment,
pilot programmes. Each module owns its `urlpatterns`."""
