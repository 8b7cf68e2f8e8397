"""`yinli token USERNAME`: print the user's API token, creating it if needed.

Only the token goes to stdout, so that `TOKEN=$(yinli token alice)` works.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yinli.core.models import ApiToken


class Command(BaseCommand):
    help = "Print a user's API token (Authorization: Bearer TOKEN), creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the token with a new one; the old one stops working at once.",
        )

    def handle(self, *args, username: str, rotate: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'No user named "{username}".', returncode=1)
        if not user.is_active:
            self.stderr.write(f'Warning: "{username}" is inactive; the API refuses the token.')
        token = ApiToken.for_user(user)
        if rotate:
            token.key = secrets.token_hex(20)
            token.last_used_at = None
            token.save(update_fields=["key", "last_used_at"])
        self.stdout.write(token.key)
