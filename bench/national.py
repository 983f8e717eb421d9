"""The national tree the benchmarks build: 5 provinces × 10 cities × 10 counties, and `n` township centres."""

from __future__ import annotations


def national_units(n: int) -> list:
    """Every unit of the tree, the centres spread over the counties in turn (codes `p0c0k0t0`, …)."""
    from survey.store.orgs import Unit

    units = []
    for p in range(5):
        units.append(Unit(f"p{p}", f"省{p}", "province", None, "region", None))
        for c in range(10):
            units.append(Unit(f"p{p}c{c}", f"市{p}-{c}", "city", f"p{p}", "region", None))
            for k in range(10):
                units.append(Unit(f"p{p}c{c}k{k}", f"县{p}-{c}-{k}", "county", f"p{p}c{c}", "region", None))
    counties = [u.code for u in units if u.level == "county"]
    centres = [(f"{counties[i % len(counties)]}t{i}", f"卫生院{i:05d}") for i in range(n)]
    return units + [
        Unit(code, name, "township", code.split("t")[0], "township_health_centre", None) for code, name in centres
    ]
