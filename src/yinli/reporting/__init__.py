"""报送: the reporting calendar, district monthly and weekly reports, review, acceptance and period locks, reminders."""
