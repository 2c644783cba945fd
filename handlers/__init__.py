"""Telegram-facing code only: read the update, call a service, render the reply."""
