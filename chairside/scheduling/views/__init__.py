"""Schedule pages (one module per area): the board, booking, calendars, rota, optimizer."""
