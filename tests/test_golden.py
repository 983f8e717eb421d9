"""Golden cases: answers with known indicator values, credit, totals, grades, ranks, gaps,
clause levels, requirement shares, gaps to the next grade and regional figures, as data
files in tests/cases/ worked out by hand."""

from pathlib import Path

import pytest
from helpers import yaml_data

import instruments

CASES = Path(__file__).parent / "cases"
TOLERANCE = 5e-6


def load_case(path: Path):
    case = yaml_data(path)
    source = case["instrument"]
    instrument = instruments.load(CASES / source if isinstance(source, str) else source)
    return case, instrument


def case_files(with_key: str = "centres"):
    return sorted(p for p in CASES.glob("*.yaml") if with_key in yaml_data(p))


def same(actual, expected) -> bool:
    if isinstance(expected, bool | list) or expected is None or isinstance(expected, str):
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
        check_clauses(code, instrument, card, expect, problems)
    assert not problems, "\n".join(problems)


def check_clauses(code: str, instrument, card, expect: dict, problems: list) -> None:
    """Clause levels, chapter and framework scores, requirement shares and the gap to the next grade."""
    for clause_id, fields in expect.get("clauses", {}).items():
        for key, value in fields.items():
            check(f"{code}.clauses.{clause_id}.{key}", getattr(card.clauses[clause_id], key), value, problems)
    for chapter, value in expect.get("chapters", {}).items():
        check(f"{code}.chapters.{chapter}", card.chapters[chapter], value, problems)
    for framework, groups in expect.get("frameworks", {}).items():
        for group, value in groups.items():
            check(f"{code}.frameworks.{framework}.{group}", card.frameworks[framework][group], value, problems)
    for grade, conditions in expect.get("requirements", {}).items():
        for index, fields in enumerate(conditions):
            for key, value in fields.items():
                actual = getattr(card.requirements[grade][index], key)
                check(f"{code}.requirements.{grade}[{index}].{key}", actual, value, problems)
    if "next_grade" not in expect:
        return
    wanted, gap = expect["next_grade"], card.next_grade
    if wanted is None or gap is None:
        check(f"{code}.next_grade", gap, wanted, problems)
        return
    for key in ("grade", "score"):
        if key in wanted:
            check(f"{code}.next_grade.{key}", getattr(gap, key), wanted[key], problems)
    for index, fields in enumerate(wanted.get("requirements", [])):
        found = gap.requirements[index] if index < len(gap.requirements) else None
        for key, value in fields.items():
            actual = getattr(found, key, None)
            check(f"{code}.next_grade.requirements[{index}].{key}", list(actual) if key == "candidates" else actual,
                  value, problems)  # fmt: skip
    if "requirements" in wanted:
        check(f"{code}.next_grade.requirements", len(gap.requirements), len(wanted["requirements"]), problems)
    for lang in ("zh", "en"):
        if lang in wanted:
            sentence = instruments.describe_grade_gap(instrument, gap, lang)
            check(f"{code}.next_grade.{lang}", sentence, wanted[lang], problems)


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


@pytest.mark.parametrize("path", case_files("clause_regions"), ids=lambda p: p.stem)
def test_clause_regions(path):
    spec, instrument = load_case(path)
    centres = spec["centres"]
    scores = instruments.score_many(instrument, [c.get("answers", {}) for c in centres.values()])
    tree = dict(spec.get("tree", {}))
    tree.update({code: c["parent"] for code, c in centres.items()})
    figures = instruments.clause_regional(scores, instruments.membership(list(centres), tree))
    by_key = {(f.region, f.clause): f for f in figures}
    problems: list[str] = []
    for expected in spec["clause_regions"]:
        figure = by_key[(expected["region"], expected["clause"])]
        for key, value in expected.items():
            if key in ("levels", "shares"):
                actual = getattr(figure, key)
                check(f"{figure.region}.{figure.clause}.{key}.keys", list(actual), list(value), problems)
                for level, number in value.items():
                    check(f"{figure.region}.{figure.clause}.{key}.{level}", actual.get(level), number, problems)
            elif key not in ("region", "clause"):
                check(f"{figure.region}.{figure.clause}.{key}", getattr(figure, key), value, problems)
    assert not problems, "\n".join(problems)
