"""Referrals (引荐), evaluation scorecards (综合评估) and review meetings (信息过堂会)."""
