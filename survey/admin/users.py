"""Users: list and filter them, create one, change a role or unit, reset a password, disable or enable.

Password hashes never leave the store: pages see `User`, which has none.
"""

from __future__ import annotations

import math

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ..auth import login_required, password_problem
from ..confirm import ask, confirmed
from ..site import language
from ..store import NotFoundError, StoreError
from ..store.orgs import names
from ..store.users import (
    SelfLockoutError,
    User,
    WeakPasswordError,
    add_user,
    count_users,
    list_users,
    require_user,
    reset_password,
    set_active,
    set_placement,
)
from ..web_db import get_db
from . import bp
from .forms import ActionForm, NewUserForm, PlacementForm, ResetPasswordForm, UserFilterForm

SHOWN = 50  # users on one page
SELF_LOCKOUT = _l("不能停用自己的账号，也不能取消自己的管理员角色。")


@bp.get("/users")
@login_required("admin")
def users() -> str:
    """用户: users found by username, unit name or code, role and unit (with the units below it), a page at a time."""
    form = UserFilterForm(request.args)
    found: list[User] = []
    total = 0
    page = request.args.get("page", 1, type=int)
    if form.validate():
        chosen = (form.role.data or None, form.org.data or None)
        total = count_users(get_db(), *chosen, search=form.q.data or "")
        page = min(max(page, 1), max(math.ceil(total / SHOWN), 1))
        found = list_users(get_db(), *chosen, limit=SHOWN, offset=(page - 1) * SHOWN, search=form.q.data or "")
    return render_template(
        "admin/users.html",
        form=form,
        users=found,
        total=total,
        page=page,
        pages=max(math.ceil(total / SHOWN), 1),
        units=names(get_db(), (user.org_code for user in found)),
    )


@bp.route("/users/new", methods=("GET", "POST"))
@login_required("admin")
def new_user() -> Response | str:
    """Create a user with a role, a unit and an initial password."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = add_user(
                get_db(), form.username.data, form.password.data, form.role.data, form.org_code.data or None
            )
        except WeakPasswordError as error:
            form.password.errors.append(password_problem(error))
        except StoreError as error:
            flash(_("未创建用户：%(reason)s", reason=error.text(language())), "error")
        else:
            flash(_("已创建用户 %(name)s。", name=user.username), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _user(user_id: int) -> User:
    try:
        return require_user(get_db(), user_id)
    except NotFoundError:
        abort(404)


def _render_user(
    user: User,
    placement: PlacementForm | None = None,
    password: ResetPasswordForm | None = None,
) -> str:
    return render_template(
        "admin/user.html",
        account=user,
        unit_name=names(get_db(), [user.org_code]).get(user.org_code or ""),
        placement=placement or PlacementForm(data={"role": user.role, "org_code": user.org_code or ""}),
        password=password or ResetPasswordForm(),
        action=ActionForm(),
    )


@bp.get("/users/<int:user_id>")
@login_required("admin")
def user(user_id: int) -> str:
    """One user: role and unit, password reset, disable or enable."""
    return _render_user(_user(user_id))


@bp.post("/users/<int:user_id>/placement")
@login_required("admin")
def placement(user_id: int) -> Response | str:
    """Change a user's role and unit."""
    account = _user(user_id)
    form = PlacementForm()
    if not form.validate_on_submit():
        return _render_user(account, placement=form)
    try:
        set_placement(get_db(), account.id, form.role.data, form.org_code.data or None, acting=g.user)
    except SelfLockoutError:
        flash(str(SELF_LOCKOUT), "error")
        return _render_user(account, placement=form)
    except StoreError as error:
        flash(_("未修改：%(reason)s", reason=error.text(language())), "error")
        return _render_user(account, placement=form)
    flash(_("已修改 %(name)s 的角色与所属机构。", name=account.username), "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/password")
@login_required("admin")
def password(user_id: int) -> Response | str:
    """Set a new password for a user, and lift any sign-in lock."""
    account = _user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render_user(account, password=form)
    try:
        reset_password(get_db(), account.id, form.password.data, acting=g.user)
    except WeakPasswordError as error:
        form.password.errors.append(password_problem(error))
        return _render_user(account, password=form)
    except StoreError as error:
        flash(_("未修改：%(reason)s", reason=error.text(language())), "error")
        return _render_user(account, password=form)
    flash(_("已为 %(name)s 设置新密码。请通过安全渠道告知本人。", name=account.username), "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/<any(enable, disable):change>")
@login_required("admin")
def active(user_id: int, change: str) -> Response | str:
    """Enable or disable a user (asked again first): a disabled user cannot sign in; an administrator cannot
    disable themselves."""
    account = _user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if change == "disable" and account.id != g.user.id and not confirmed():
        return ask(
            _("停用账号 %(name)s？", name=account.username),
            _("停用后此用户不能再登录，已登录的会话立即结束；其填报与审核记录保留。可以随时重新启用。"),
            _("确认停用"),
            url_for("admin.user", user_id=account.id),
        )
    try:
        set_active(get_db(), account.id, change == "enable", acting=g.user)
    except SelfLockoutError:
        flash(str(SELF_LOCKOUT), "error")
    else:
        if change == "enable":
            flash(_("已启用用户 %(name)s。", name=account.username), "success")
        else:
            flash(_("已停用用户 %(name)s：此账号不能再登录。", name=account.username), "success")
    return redirect(url_for("admin.user", user_id=account.id))
