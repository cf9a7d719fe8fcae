"""Order handling."""
from .store import order_status, place_order

__all__ = ["order_status", "place_order"]
