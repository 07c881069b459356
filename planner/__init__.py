"""Route planning for mixed drone and cart fleets.

Plain typed data in and out; OR-Tools is imported lazily inside the solver only,
so the service starts fast and small when no plan is requested.
"""
