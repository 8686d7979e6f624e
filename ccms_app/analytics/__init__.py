"""Analytics: Home's figures, statistics, business analyses and reports, read from roll-ups."""
