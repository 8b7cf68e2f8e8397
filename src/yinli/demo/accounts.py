"""The demo logins. They are created only by `yinli demo`; `check --deploy` warns while they exist."""

DEMO_PASSWORD = "yinli-demo"
DEMO_USERNAMES = ("admin", "analyst", "jingkou", "jingkai")
