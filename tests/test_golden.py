"""Golden cases: answers with known indicator values, credit, totals, grades, ranks, gaps
and regional figures, as data files in tests/cases/ worked out by hand."""

from pathlib import Path

import pytest
import yaml

import instruments

CASES = Path(__file__).parent / "cases"
TOLERANCE = 5e-6


def load_case(path: Path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = case["instrument"]
    instrument = instruments.load(CASES / source if isinstance(source, str) else source)
    return case, instrument


def case_files(with_key: str = "centres"):
    return sorted(p for p in CASES.glob("*.yaml") if with_key in yaml.safe_load(p.read_text("utf-8")))


def same(actual, expected) -> bool:
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return actual == expected
    return actual is not None and abs(actual - expected) <= max(TOLERANCE, 1e-5 * abs(expected))


def check(label: str, actual, expected, problems: list) -> None:
    if not same(actual, expected):
        problems.append(f"{label}: expected {expected!r}, got {actual!r}")


@pytest.fixture(params=case_files(), ids=lambda p: p.stem)
def case(request):
    return load_case(request.param)


def test_centres(case):
    spec, instrument = case
    centres = spec["centres"]
    scores = instruments.score_many(instrument, [c.get("answers", {}) for c in centres.values()])
    ranks = instruments.rank(scores.total)
    problems: list[str] = []
    for row, (code, centre) in enumerate(centres.items()):
        expect = centre.get("expect")
        if not expect:
            continue
        card = scores.card(row)
        for ind_id, fields in expect.get("indicators", {}).items():
            result = card.indicators[ind_id]
            for key, value in fields.items():
                check(f"{code}.{ind_id}.{key}", getattr(result, key), value, problems)
        for dim, value in expect.get("dimensions", {}).items():
            check(f"{code}.dimensions.{dim}", card.dimensions[dim], value, problems)
        if "total" in expect:
            check(f"{code}.total", card.total, expect["total"], problems)
        if "grade" in expect:
            check(f"{code}.grade", card.grade, expect["grade"], problems)
        if "rank" in expect:
            check(f"{code}.rank", int(ranks[row]) or None, expect["rank"], problems)
        if "gaps" in expect:
            found = {i: r.gap for i, r in card.indicators.items() if r.met is False}
            for ind_id, gap in found.items():
                if ind_id not in expect["gaps"]:
                    problems.append(f"{code}: unexpected gap for {ind_id}: {gap}")
            for ind_id, fields in expect["gaps"].items():
                gap = found.get(ind_id, "not failed")
                if fields is None or gap is None or gap == "not failed":
                    check(f"{code}.gaps.{ind_id}", gap, fields, problems)
                    continue
                for key, value in fields.items():
                    check(f"{code}.gaps.{ind_id}.{key}", getattr(gap, key), value, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", case_files("regions"), ids=lambda p: p.stem)
def test_regions(path):
    spec, instrument = load_case(path)
    centres = spec["centres"]
    scores = instruments.score_many(instrument, [c.get("answers", {}) for c in centres.values()])
    tree = dict(spec.get("tree", {}))
    tree.update({code: c["parent"] for code, c in centres.items()})
    figures = instruments.regional(scores, instruments.membership(list(centres), tree))
    by_key = {(f.region, f.indicator): f for f in figures}
    problems: list[str] = []
    for expected in spec["regions"]:
        figure = by_key[(expected["region"], expected["indicator"])]
        for key, value in expected.items():
            if key not in ("region", "indicator"):
                check(f"{expected['region']}.{expected['indicator']}.{key}",
                      getattr(figure, key), value, problems)  # fmt: skip
    assert not problems, "\n".join(problems)
