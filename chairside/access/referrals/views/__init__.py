"""Referral, provider and order pages: thin — parse, call one service or selector, render."""
