"""The `yinli` command: Django's manage.py for the installed package."""

import os
import sys

# Command names people type with a hyphen; a Django command module cannot have one.
ALIASES = {"import-fai": "import_fai"}


def command_name(name: str) -> str:
    return ALIASES.get(name, name)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinli.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1:
        argv[1] = command_name(argv[1])
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
