"""Flask-WTF forms of the settings and password pages (issue 17); the rules live in
forum/services/profiles.py and passwords.py, whose field errors come back via apply_errors."""

from __future__ import annotations

from wtforms import PasswordField, SelectChoice, StringField, TextAreaField
from wtforms.fields import FileField

from forum.forms import MultiCheckboxField, ServiceForm
from forum.services.profiles import SELF_TAGS


class ProfileForm(ServiceForm):
    display_name = StringField("昵称", description="其他用户看到的名字")
    bio = TextAreaField("个人签名", description="一句话介绍自己，显示在主页和你的每条帖子下方")
    email = StringField("邮箱（选填）", description="仅用于找回密码，不会公开")
    # Unknown values are refused by the service, with a message naming them.
    tags = MultiCheckboxField("我的身份（选填）", choices=[SelectChoice(t, t) for t in SELF_TAGS],
                              validate_choice=False,
                              description="帮助我们为你推荐合适的活动和服务，不会公开显示")


class AvatarForm(ServiceForm):
    file = FileField("头像图片", description="PNG、JPEG、GIF 或 WebP，将裁剪为正方形")


class PasswordChangeForm(ServiceForm):
    current_password = PasswordField("当前密码")
    new_password = PasswordField("新密码", description="至少 8 位，不能与当前密码相同")
    new_password_confirm = PasswordField("确认新密码")


class ForgotForm(ServiceForm):
    identifier = StringField("用户名或邮箱")


class ResetForm(ServiceForm):
    new_password = PasswordField("新密码", description="至少 8 位")
    new_password_confirm = PasswordField("确认新密码")
