"""The administrators' forms: uploads, users and rounds. Every POST carries Flask-WTF's CSRF token.

Fields check what a form can know (a unit code exists, a username is free, a
password is long enough) so the message sits beside the field; the store
checks everything again when it writes, and its refusals are shown too.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, Field, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from ..files import tables_only
from ..store import NotFoundError
from ..store.orgs import get_unit
from ..store.users import MIN_PASSWORD, ROLES, USERNAME, get_user
from ..web_db import get_db
from ..words import ROLE_WORDS

CHOOSE = _l("请从列表中选择")
REQUIRED = _l("必填")
REVIEW_CHOICES = [
    SelectChoice(0, _l("不审核（提交即通过）")),
    SelectChoice(1, _l("自评 → 县级评审")),
    SelectChoice(2, _l("自评 → 县级评审 → 市级复核")),
    SelectChoice(3, _l("自评 → 县级评审 → 市级复核 → 省级抽查")),
    SelectChoice(4, _l("自评 → 县级评审 → 市级复核 → 省级抽查 → 国家抽查")),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def known_unit(form: FlaskForm, field: Field) -> None:
    """The field names an organisation unit that exists."""
    if field.data:
        try:
            get_unit(get_db(), field.data)
        except NotFoundError:
            raise ValidationError(_l("没有编码为 %(code)s 的机构", code=field.data)) from None


def _roles() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_WORDS[role]) for role in ROLES]


class ActionForm(FlaskForm):
    """A button that changes something: nothing but the CSRF token."""


class InstrumentUploadForm(FlaskForm):
    file = FileField(
        _l("问卷文件"),
        validators=[
            FileRequired(_l("请选择文件")),
            FileAllowed(["yaml", "yml", "json", "xlsx", "xlsm"], _l("只接受 .yaml、.json 或 .xlsx 文件")),
        ],
    )


class OrgImportForm(FlaskForm):
    file = FileField(
        _l("机构文件"),
        validators=[
            FileRequired(_l("请选择文件")),
            tables_only(),
        ],
    )


class UserFilterForm(FlaskForm):
    """Which users to list (a GET form: it changes nothing, so it has no token)."""

    class Meta:
        csrf = False

    q = StringField(_l("用户名、机构名称或编码"), filters=[_strip], validators=[Optional(), Length(max=64)])
    role = SelectField(_l("角色"), validators=[Optional()], invalid_choice_message=CHOOSE)
    org = StringField(_l("机构编码（含下级）"), filters=[_strip], validators=[Optional(), Length(max=64), known_unit])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("全部角色")), *_roles()]


class PlacementForm(FlaskForm):
    """A user's role and organisation unit."""

    role = SelectField(_l("角色"), validators=[InputRequired(CHOOSE)], invalid_choice_message=CHOOSE)
    org_code = StringField(_l("所属机构编码"), filters=[_strip], validators=[Length(max=64), known_unit])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _roles()

    def validate_org_code(self, field: Field) -> None:
        if self.role.data != "admin" and not field.data:
            raise ValidationError(_l("除管理员外，每个用户都须属于一个机构"))


def _password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("密码"),
            validators=[
                InputRequired(REQUIRED),
                Length(min=MIN_PASSWORD, message=_l("密码至少 %(n)d 个字符", n=MIN_PASSWORD)),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("再次输入密码"),
            validators=[InputRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致"))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class NewUserForm(PlacementForm):
    username = StringField(
        _l("用户名"),
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED),
            Regexp(rf"^{USERNAME.pattern}\Z", message=_l("用户名为 3–64 个字母、数字或 . _ @ -")),
        ],
        render_kw={"autocomplete": "off"},
    )
    password, again = _password_fields()

    def validate_username(self, field: Field) -> None:
        try:
            get_user(get_db(), field.data)
        except NotFoundError:
            return
        raise ValidationError(_l("用户名 %(name)s 已被使用", name=field.data))


class ResetPasswordForm(FlaskForm):
    password, again = _password_fields()


class NewRoundForm(FlaskForm):
    instrument = SelectField(_l("问卷及版本"), validators=[InputRequired(CHOOSE)], invalid_choice_message=CHOOSE)
    period = StringField(_l("评估期"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=40)])
    title = StringField(_l("标题"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=200)])
    scope_code = StringField(
        _l("范围（机构编码）"),
        filters=[_strip],
        validators=[Optional(), Length(max=64), known_unit],
        description=_l("留空表示所有地区"),
    )
    deadline = DateField(
        _l("填报截止"), validators=[Optional()], invalid_value_message=_l("请按“年-月-日”填写，如 2026-03-31")
    )
    review_levels = SelectField(
        _l("审核层级"), coerce=int, choices=REVIEW_CHOICES, default=2, invalid_choice_message=CHOOSE
    )

    def chosen(self) -> tuple[str, str]:
        """The instrument id and version picked."""
        instrument_id, _, version = (self.instrument.data or "").partition("@")
        return instrument_id, version
