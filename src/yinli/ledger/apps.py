from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "yinli.ledger"
    label = "ledger"
