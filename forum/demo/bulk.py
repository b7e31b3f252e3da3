"""The parts of ``flask seed-demo`` that make it fast: packages' handlers paused while the
forum's demo data is written in bulk, one real password hash per demo password, and a
progress bar per stage."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import click
from flask import current_app
from werkzeug.security import generate_password_hash


@contextmanager
def bulk_load():
    """Pause the packages' event handlers that registered a pause (register_demo_seeder)
    while the forum's demo data is written; they are resumed before their seeders catch up."""
    hooks = list(current_app.extensions.get("huzhu_demo_bulk_hooks", {}).values())
    for pause, _resume in hooks:
        pause()
    try:
        yield
    finally:
        for _pause, resume in hooks:
            resume()


@contextmanager
def one_hash_per_password():
    """The demo accounts share a few public passwords: hash each once with the real method
    (scrypt, ~0.1 s) instead of once per account. Accounts are registered with a cheap
    placeholder hash and get the shared real one right after (``hashes``)."""
    config = current_app.config
    method = config.get("PASSWORD_HASH_METHOD", "scrypt")
    hashes: dict[str, str] = {}

    def real_hash(password: str) -> str:
        if password not in hashes:
            hashes[password] = generate_password_hash(password, method=method)
        return hashes[password]

    config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"
    try:
        yield real_hash
    finally:
        config["PASSWORD_HASH_METHOD"] = method


class _NoBar:
    def update(self, _n: int) -> None:
        pass


def stage_bar(progress: bool, label: str, length: int):
    """A click progress bar for one stage of the seed, or a silent stand-in."""
    return click.progressbar(length=length, label=label) if progress else nullcontext(_NoBar())
