"""The demo logins. They are created only by `yinli demo`; `check --deploy` warns while they exist.

admin (city admin), analyst (city analyst), jingkou and jingkai (district editors), newenergy (a
team member of 镇江经开区's 新能源及新型电力装备产业招商局), beijing (a team member of the Beijing
liaison office), leader and gaoxin (viewers: the city, 镇江高新区). See yinli.demo.city.LOGINS.
"""

DEMO_PASSWORD = "yinli-demo"
DEMO_USERNAMES = (
    "admin",
    "analyst",
    "jingkou",
    "jingkai",
    "newenergy",
    "beijing",
    "leader",
    "gaoxin",
)
