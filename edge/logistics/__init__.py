"""Logistics: orders, plan requests, plans and their progress (docs/planner.md, "Lifecycle").

The web page, the JSON API and the MQTT commands all go through these modules,
so an order or a plan obeys the same rules whichever way it arrived. Functions
that touch storage block: the web layer calls them through ``asyncio.to_thread``.
"""
