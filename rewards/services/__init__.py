"""Rewards' business rules: ledger (the one writer of points), points (what earns them,
check-in, rules), titles, badges, store, leaderboards."""
