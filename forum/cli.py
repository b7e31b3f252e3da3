"""``flask --app forum …`` commands of the core: create-user, seed-demo."""

from __future__ import annotations

import click
from flask import Flask

from forum import demo, uow
from forum.errors import ValidationError
from forum.models import ROLE_NAMES
from forum.services.accounts import register_user


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--display-name", default=None, help="昵称 (defaults to the username)")
    @click.option("--role", "roles", multiple=True, type=click.Choice(ROLE_NAMES),
                  default=("customer",), show_default=True)
    @uow.atomic
    def create_user(username: str, password: str, display_name: str | None, roles: tuple) -> None:
        """Create a user with one or more roles."""
        try:
            user = register_user(username, display_name or username, password, list(roles))
        except ValidationError as err:
            for field, message in err.fields.items():
                click.echo(f"{field}: {message}", err=True)
            raise SystemExit(2) from None
        click.echo(f"created {user.username} ({', '.join(sorted(user.role_names))})")

    demo.init_app(app)
