"""目标任务: annual targets per unit, their breakdown, progress against the schedule, and the ranking of districts."""
