"""Business rules of the proxy programme, one module per subject:

- ``common``: who may do what, money (fen → yuan) and months (Asia/Shanghai)
- ``influence``: the influence score of PRODUCT §2.4 and its weights
- ``lifecycle``: candidates, staff ratings, candidate → invited → active → suspended/retired
- ``circles``: service circles of at most PROXY_CIRCLE_MAX members
- ``commission``: rules in fen and the append-only commission ledger
- ``settlement``: monthly statements draft → approved → paid, CSV export
"""
