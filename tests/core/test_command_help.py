"""Every yinli command prints its --help (argparse chokes on lazy translation objects)."""

import pytest
from django.core.management import get_commands, load_command_class

YINLI_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("yinli."))


def test_there_are_yinli_commands():
    assert {"demo", "import", "report", "backup"} <= set(YINLI_COMMANDS)


@pytest.mark.parametrize("name", YINLI_COMMANDS)
def test_help_prints(name, capsys):
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("yinli", name)
    text = parser.format_help()
    assert name in text
    assert "usage:" in text
