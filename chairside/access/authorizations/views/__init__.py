"""Patient-access pages: work queues, benefits checks and prior authorizations."""
