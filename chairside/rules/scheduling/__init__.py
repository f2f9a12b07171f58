"""Scheduling rules: appointment states, booking rules, chair time, the day-schedule
optimizer and its model, readiness, reminders, and the home-care day routes."""
