"""The one ``env`` object every settings module reads the environment through.

A ``.env`` file beside ``manage.py`` is read first when it exists.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.is_file():
    env.read_env(str(_env_file))
# Everything the running product writes locally (SQLite, media, Redis data, logs).
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
