"""Moderation's business rules, one module per subject (queue, actions, audit, canned
replies, tickets, SLA, dashboard, expert reviews). Services raise ``forum.errors`` and never
touch ``request``."""
