"""What changed between two versions of an instrument: each change located and readable."""

from pathlib import Path

import pytest

import instruments
from instruments.diff import diff

BASIC = (Path(__file__).parent / "cases" / "instruments" / "basic.yaml").read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str], version: str = "2") -> instruments.Instrument:
    """basic.yaml with a new version and each (old, new) text replaced exactly once."""
    text = BASIC.replace('version: "1"', f'version: "{version}"')
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return instruments.load_text(text)


def lines(*replacements):
    return diff(instruments.load_text(BASIC), edited(*replacements)).lines()


def test_the_same_instrument_has_no_changes(basic):
    result = diff(basic, edited())
    assert not result and result.lines() == []
    assert (result.instrument_id, result.old_version, result.new_version) == ("basic-test", "1", "2")


def test_a_target_change_reads_as_the_brief_says():
    old = instruments.load_text(BASIC.replace('target: ">= 0.90"', 'target: ">= 0.85"'))
    assert diff(old, edited()).lines() == ['indicators.prof_tech_share.target: ">= 0.85" → ">= 0.90"']
    assert lines(('target: ">= 0.90"', 'target: ">= 0.85"')) == [
        'indicators.prof_tech_share.target: ">= 0.90" → ">= 0.85"'
    ]


def test_the_same_target_written_differently_is_no_change():
    assert lines(('target: ">= 0.90"', 'target: ">=0.9"')) == []


def test_formula_spacing_is_no_change_but_a_new_formula_is():
    assert lines(("formula: staff_prof_tech / staff_total", "formula: staff_prof_tech/staff_total")) == []
    assert lines(("formula: gps / population * 10000", "formula: gps / population * 1000")) == [
        'indicators.gps_per_10k.formula: "gps / population * 10000" → "gps / population * 1000"'
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    weight: 5\n    pooled: true", "    weight: 8\n    pooled: true", "indicators.gps_per_10k.weight: 5 → 8"),
        ("    floor: 0.10", "    floor: 0.05", "indicators.contract_rate.floor: 0.1 → 0.05"),
        ("    weight: 5\n    pooled: true", "    weight: 5", "indicators.gps_per_10k.pooled: true → false"),
        (
            "dimension: services\n    formula: beds",
            "dimension: staffing\n    formula: beds",
            'indicators.beds_per_1k.dimension: "services" → "staffing"',
        ),
        (
            "formula: staff_total\n    format: integer",
            "formula: staff_total\n    format: number",
            'indicators.staff_count.format: "integer" → "number"',
        ),
        (
            "text: 专业技术人员占编制总额的比例不低于90%",
            "text: 不低于90%",
            'indicators.prof_tech_share.standard.text: "专业技术人员占编制总额的比例不低于90%" → "不低于90%"',
        ),
        (
            "formula: staff_total\n    format: integer",
            "formula: staff_total\n    format: integer\n    standard: {source: 新来源, text: 新标准}",
            'indicators.staff_count.standard.source: (none) → "新来源"',
        ),
        (
            "en: Family-doctor contracting rate}",
            "en: Family doctor contracting}",
            'indicators.contract_rate.label.en: "Family-doctor contracting rate" → "Family doctor contracting"',
        ),
        ("    scoring: linear\n    floor: 0.10\n", "", 'indicators.contract_rate.scoring: "linear" → "threshold"'),
    ],
)
def test_indicator_changes(old, new, expected):
    assert expected in lines((old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "en: Staff on post}, unit: {zh: 人",
            "en: Staff}, unit: {zh: 人",
            'items.staff_total.label.en: "Staff on post" → "Staff"',
        ),
        ("en: General practitioners}, min: 0}", "en: General practitioners}, min: 1}", "items.gps.min: 0 → 1"),
        (
            "en: General practitioners}, min: 0}",
            "en: General practitioners}, min: 0, max: 500}",
            "items.gps.max: (none) → 500",
        ),
        (
            "en: Service population}, min: 0}",
            "en: Service population}, min: 0, max: 2000000}",
            "items.population.max: (none) → 2000000",
        ),
        (
            "en: Service population}, min: 0}",
            "en: Service population}, min: 0, required: true}",
            "items.population.required: false → true",
        ),
        (
            "constraint: staff_prof_tech <= staff_total",
            "constraint: staff_prof_tech < staff_total",
            'items.staff_prof_tech.constraint: "staff_prof_tech <= staff_total" → "staff_prof_tech < staff_total"',
        ),
        ("relevant: has_inpatient, min: 0", "min: 0", 'items.beds.relevant: "has_inpatient" → (none)'),
        (
            "unit: {zh: 人, en: persons}, required: true, min: 0}",
            "unit: {zh: 名, en: persons}, required: true, min: 0}",
            'items.staff_total.unit.zh: "人" → "名"',
        ),
        (
            "{id: contracted, type: integer",
            "{id: contracted, type: number",
            'items.contracted.type: "integer" → "number"',
        ),
        (
            "不能超过在岗职工总数, en",
            "不得超过在岗职工总数, en",
            'items.staff_prof_tech.constraint_message.zh: "不能超过在岗职工总数" → "不得超过在岗职工总数"',
        ),
    ],
)
def test_item_changes(old, new, expected):
    assert expected in lines((old, new))


def test_items_and_indicators_added_and_removed():
    new = edited(
        (
            "      - {id: contracted,",
            "      - {id: doctors, type: integer, label: {zh: 执业医师数, en: Physicians}, min: 0}\n"
            "      - {id: contracted,",
        ),
        (
            "  - id: staff_count\n    label: {zh: 在岗职工数, en: Staff on post}\n    formula: staff_total\n"
            "    format: integer\n",
            "  - id: doctor_count\n    label: {zh: 医师数, en: Physicians}\n    formula: doctors\n",
        ),
    )
    result = diff(instruments.load_text(BASIC), new)
    assert result.added("items") == ("doctors",) and result.removed("items") == ()
    assert result.added("indicators") == ("doctor_count",) and result.removed("indicators") == ("staff_count",)
    assert "items.doctors: added" in result.lines() and "indicators.staff_count: removed" in result.lines()
    assert result.changed("indicators") == {}


def test_changed_groups_the_changes_of_each_thing():
    result = diff(
        instruments.load_text(BASIC),
        edited(
            ('target: ">= 0.90"', 'target: ">= 0.85"'),
            ("    weight: 10\n    pooled: true", "    weight: 12\n    pooled: true"),
        ),
    )
    changed = result.changed("indicators")
    assert list(changed) == ["prof_tech_share"]
    assert [c.field for c in changed["prof_tech_share"]] == ["target", "weight"]
    assert {c.kind for c in changed["prof_tech_share"]} == {"changed"}


def test_choices_added_removed_relabelled_and_reordered():
    with_choices = BASIC.replace(
        "      - {id: contracted,",
        "      - id: ownership\n        type: choice\n        label: {zh: 举办主体, en: Ownership}\n"
        "        choices:\n          - {value: public, label: {zh: 政府办, en: Government}}\n"
        "          - {value: collective, label: {zh: 集体办, en: Collective}}\n"
        "          - {value: other, label: {zh: 其他, en: Other}}\n      - {id: contracted,",
    )
    old = instruments.load_text(with_choices)
    new = instruments.load_text(
        with_choices.replace('version: "1"', 'version: "2"')
        .replace("          - {value: collective, label: {zh: 集体办, en: Collective}}\n", "")
        .replace("{value: public, label: {zh: 政府办, en: Government}}", "{value: private, label: {zh: 社会办}}")
        .replace(
            "{value: other, label: {zh: 其他, en: Other}}",
            "{value: other, label: {zh: 其他机构, en: Other}}\n"
            "          - {value: public, label: {zh: 政府办, en: Government}}",
        )
    )
    assert diff(old, new).lines() == [
        'items.ownership.choices.collective: "集体办" → (none)',
        'items.ownership.choices.private: (none) → "社会办"',
        'items.ownership.choices.other.label.zh: "其他" → "其他机构"',
        "items.ownership.choices.order: [public, other] → [other, public]",
    ]


def test_item_moved_to_another_section_and_sections_reordered():
    moved = edited(
        ("      - {id: population, type: integer, label: {zh: 服务人口, en: Service population}, min: 0}\n", ""),
        (
            "      - {id: contracted,",
            "      - {id: population, type: integer, label: {zh: 服务人口, en: Service population}, min: 0}\n"
            "      - {id: contracted,",
        ),
    )
    assert 'items.population.section: "staff" → "services"' in diff(instruments.load_text(BASIC), moved).lines()
    text = BASIC.replace('version: "1"', 'version: "2"')
    head, rest = text.split("sections:\n")
    body, tail = rest.split("indicators:\n")
    staff, services = body.split("  - id: services\n")
    swapped = head + "sections:\n  - id: services\n" + services + staff + "indicators:\n" + tail
    assert diff(instruments.load_text(BASIC), instruments.load_text(swapped)).lines() == [
        "sections.order: [staff, services] → [services, staff]"
    ]


def test_grades_dimensions_and_the_title():
    result = lines(
        ("    min_score: 85", "    min_score: 80"),
        ("    must_meet: [prof_tech_share]", "    must_meet: [prof_tech_share, gps_per_10k]"),
        (
            "{id: services, title: {zh: 医疗服务, en: Services}}",
            "{id: services, title: {zh: 基本医疗服务, en: Services}}",
        ),
        ("title: {zh: 测试问卷, en: Test instrument}", "title: {zh: 测试问卷（修订）, en: Test instrument}"),
    )
    assert result == [
        'title.zh: "测试问卷" → "测试问卷（修订）"',
        'dimensions.services.title.zh: "医疗服务" → "基本医疗服务"',
        "grades.recommended.min_score: 85 → 80",
        "grades.recommended.must_meet: [prof_tech_share] → [prof_tech_share, gps_per_10k]",
    ]


def test_grade_order_is_a_change():
    text = BASIC.replace('version: "1"', 'version: "2"')
    head, grades = text.split("grades:\n")
    blocks = grades.split("  - id: ")[1:]
    swapped = head + "grades:\n" + "".join("  - id: " + b for b in [blocks[1], blocks[0], blocks[2]])
    result = diff(instruments.load_text(BASIC), instruments.load_text(swapped)).lines()
    assert result == ["grades.order: [recommended, basic, below] → [basic, recommended, below]"]


CLAUSES = (Path(__file__).parent / "cases" / "instruments" / "clauses.yaml").read_text(encoding="utf-8")


def test_changes_to_clauses_levels_requirements_chapters_and_frameworks_are_located():
    new = CLAUSES.replace('version: "1"', 'version: "2"')
    for old_text, new_text in [
        ("- {id: B, when: beds >= 20}", "- {id: B, when: beds >= 25}"),
        ("{clauses: {standard: recommended}, level: B, share: 0.6}",
         "{clauses: {standard: recommended}, level: B, share: 0.5}"),
        ("credit: {C: 0.6, B: 0.8, A: 1.0}", "credit: {C: 0.5, B: 0.8, A: 1.0}"),
        ("groups: {yanan: precision}", "groups: {yanan: effect}"),
        ("      - {id: C, text: {zh: 有年度培训计划}}\n", "      - {id: C, text: {zh: 有年度培训计划和记录}}\n"),
        ("{id: effect, title: {zh: 效度, en: Effect}}", "{id: effect, title: {zh: 效果, en: Effect}}"),
        ('  - {id: management, number: "三"', '  - {id: management, number: "二"'),
        ("    core: true\n    text: {zh: 病历书写规范}", "    text: {zh: 病历书写规范}"),
    ]:  # fmt: skip
        assert new.count(old_text) == 1, old_text
        new = new.replace(old_text, new_text)
    assert diff(instruments.load_text(CLAUSES), instruments.load_text(new)).lines() == [
        'grades.recommended.requires: [core=true at B ≥ 1, standard="recommended" at B ≥ 0.6] → '
        '[core=true at B ≥ 1, standard="recommended" at B ≥ 0.5]',
        'chapters.management.number: "三" → "二"',
        'clauses.beds_clause.levels.B.when: "beds >= 20" → "beds >= 25"',
        "clauses.infection_control.credit: [0.6, 0.8, 1] → [0.5, 0.8, 1]",
        "clauses.infection_control.groups: {yanan: precision} → {yanan: effect}",
        "clauses.records.core: true → false",
        'clauses.training.levels.C.text.zh: "有年度培训计划" → "有年度培训计划和记录"',
        'frameworks.yanan.groups.effect.title.zh: "效度" → "效果"',
    ]


def test_a_clause_losing_a_level_is_a_change_of_its_levels():
    new = CLAUSES.replace('version: "1"', 'version: "2"').replace(
        "      - {id: A, text: {zh: 符合B级，甲级病历率≥90%}}\n", ""
    )
    assert diff(instruments.load_text(CLAUSES), instruments.load_text(new)).lines() == [
        "clauses.records.levels: [C, B, A] → [C, B]"
    ]
