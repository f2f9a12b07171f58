"""Inventory pages, one module per area. Thin: parse, call one service or selector, render."""
