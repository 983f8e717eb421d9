"""The query strings of the report pages, read with WTForms: the data toggle, sort, filters, page, level, indicator.

A value that is not on offer (a sort key that is no column, page `x`) is put
back to its default and named, so the page says what it ignored instead of
failing; a download, which cannot say so, answers 400 instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

SCOPE_CHOICES = [SelectChoice("0", _l("含未审核数据")), SelectChoice("1", _l("仅含已通过"))]


class ReportQuery(Form):
    """The toggle every report page carries: whether unapproved responses count (default: they do)."""

    approved_only = SelectField(_l("数据范围"), choices=SCOPE_CHOICES, default="0")

    @property
    def only_approved(self) -> bool:
        return self.approved_only.data == "1"


class LeagueQuery(ReportQuery):
    county = SelectField(_l("县（区）"), default="")
    grade = SelectField(_l("等级"), default="")
    q = StringField(_l("机构名称或编码"), default="", validators=[Optional(), Length(max=50)])
    groups = SelectField(_l("分组得分"), default="")
    sort = SelectField(default="rank")
    order = SelectField(choices=[SelectChoice(value) for value in ("", "asc", "desc")], default="")
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])


class LeagueDownload(ReportQuery):
    """The league workbook's query: the data toggle, and a unit attribute to group the centres by (分组汇总)."""

    by = SelectField(_l("分组汇总"), default="")


class RegionsQuery(ReportQuery):
    level = SelectField(_l("地区层级"), default="")
    indicator = SelectField(_l("图中指标"), default="")
    by = SelectField(_l("分组"), default="")
    clause = SelectField(_l("条款"), default="")
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])


def read(
    form_class: type[ReportQuery],
    args: MultiDict,
    choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    defaults: Mapping[str, object] | None = None,
) -> tuple[ReportQuery, list[str]]:
    """The query in `args` with `choices` for its selects, and the parameters it ignored (put back to default)."""
    defaults = dict(defaults or {})
    form = form_class(args, **defaults)
    for name, options in (choices or {}).items():
        form[name].choices = [SelectChoice(value, label) for value, label in options]
    form.validate()
    ignored = []
    for field in form:
        if field.errors:
            ignored.append(f"{field.name}={args.get(field.name, '')}")
            field.data = defaults.get(field.name, field.default)
            field.errors = []
    if isinstance(getattr(form, "page", None), IntegerField) and not form.page.data:
        form.page.data = 1
    return form, ignored
