"""Webhooks: subscriptions, the outbox written with each write, signed delivery."""
