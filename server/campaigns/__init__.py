"""Campaigns (issue 14), the pure part: orders files read into orders (orders.py), orders matched to
partners and results against the campaign's KPIs (results.py), size advice (advice.py), fair prices
(price.py, prices.json) and deliverable tracking (tracking.py). Data in,
answers out: no clock, nothing of the store or Flask (layer 1, beside server.scoring)."""
