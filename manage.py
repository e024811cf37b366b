#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:  # bad configuration: say what to do, no traceback
        sys.stderr.write(f"Configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
