"""Flask-WTF forms of the core pages.

The forms parse input and carry the CSRF token; the content rules (lengths, formats,
uniqueness) live in the services, whose ``ValidationError.fields`` are attached back to the
fields with ``apply_errors`` so one rule gives one message in pages and in the API.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import EqualTo, Optional

from forum.inputs import MAX_ID
from forum.models import ROLE_LABELS, ROLE_NAMES


class ServiceForm(FlaskForm):
    """A form whose field errors can also come from a service's ValidationError."""

    def apply_errors(self, fields: dict[str, str], message: str | None = None) -> None:
        for name, text in fields.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, text]
            else:
                self.form_errors.append(text)
        if message and not fields:
            self.form_errors.append(message)

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors) or any(f.errors for f in self)


class WholeNumberField(IntegerField):
    """An IntegerField with a Chinese message for text that is not a whole number."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError("请输入整数") from None
            if not -MAX_ID <= self.data <= MAX_ID:  # what an INTEGER column (or id) can hold
                self.data = None
                raise ValueError("数值超出范围")
        else:
            self.data = self.default


class RegisterForm(ServiceForm):
    username = StringField("用户名", description="3–20 个字母、数字、下划线或汉字，注册后不可修改")
    display_name = StringField("昵称", description="其他用户看到的名字")
    password = PasswordField("密码", description="至少 8 位")
    password_confirm = PasswordField(
        "确认密码", validators=[EqualTo("password", message="两次输入的密码不一致")]
    )


class LoginForm(ServiceForm):
    username = StringField("用户名")
    password = PasswordField("密码")
    remember = BooleanField("记住我（30 天内免登录）")


class TopicForm(ServiceForm):
    title = StringField("标题", description="4–80 个字，说清楚你的问题")
    body = TextAreaField("正文", description="支持 Markdown；请勿填写手机号、身份证号等个人信息")
    tags = StringField("标签", description="可选，用空格或逗号分隔，最多 5 个")


class ReplyForm(ServiceForm):
    body = TextAreaField("回复", description="支持 Markdown")


class PostEditForm(ServiceForm):
    title = StringField("标题")
    body = TextAreaField("正文", description="支持 Markdown")
    tags = StringField("标签", description="用空格或逗号分隔，最多 5 个")


class TokenForm(ServiceForm):
    name = StringField("令牌名称", description="例如：我的手机 App")


class TribeForm(ServiceForm):
    slug = StringField("标识（网址中使用）", description="2–40 个小写字母、数字或连字符，如 liuliang")
    name = StringField("名称")
    description = TextAreaField("简介")
    icon = StringField("图标", description="一个表情符号，如 📶")
    position = WholeNumberField("排序", default=0, validators=[Optional()],
                                description="数字越小越靠前")
    moderators = StringField("版主", description="用户名，用逗号分隔")
    hold_new_user_posts = BooleanField("新用户在本部落的第一帖需版主审核后才公开")

    def moderator_usernames(self) -> list[str]:
        raw = (self.moderators.data or "").replace("，", ",")
        return [name.strip() for name in raw.replace(" ", ",").split(",") if name.strip()]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RolesForm(ServiceForm):
    roles = MultiCheckboxField("角色", choices=[SelectChoice(name, ROLE_LABELS[name])
                                               for name in ROLE_NAMES])
