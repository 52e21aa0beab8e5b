"""The facilitator's side: dashboard, preparing a workshop, the projector page."""
