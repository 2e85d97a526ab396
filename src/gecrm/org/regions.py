"""Loading the GB/T 2260 division table shipped in `data/regions.csv`."""

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).parent / "data" / "regions.csv"


def load_regions(region_model) -> int:
    """Insert or refresh every division; parents come before children in the file."""
    with REGIONS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    existing = set(region_model.objects.values_list("code", flat=True))
    new = [
        region_model(
            code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None
        )
        for r in rows
        if r["code"] not in existing
    ]
    region_model.objects.bulk_create(new, batch_size=1000)
    return len(new)
