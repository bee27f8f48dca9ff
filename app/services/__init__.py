"""Domain rules and use cases; pure rule functions live beside the service that uses them."""
