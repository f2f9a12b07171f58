from __future__ import annotations

from django.urls import path

from chairside.scheduling.views import board, booking, calendar, optimize, rota, series

app_name = "scheduling"

urlpatterns = [
    path("", board.board, name="board"),
    path("week/", calendar.week, name="week"),
    path("appointments/<uuid:public_id>/", board.appointment_panel, name="panel"),
    path(
        "appointments/<uuid:public_id>/status/<slug:action>/",
        board.appointment_status,
        name="status",
    ),
    path("appointments/<uuid:public_id>/cancel/", board.appointment_cancel, name="cancel"),
    path("appointments/<uuid:public_id>/no-show/", board.appointment_no_show, name="no_show"),
    path("appointments/<uuid:public_id>/move/", board.appointment_move, name="move"),
    path("appointments/<uuid:public_id>/nurse/", board.appointment_nurse, name="nurse"),
    path("book/", booking.book, name="book"),
    path("book/orders/", booking.order_picker, name="order_picker"),
    path("orders/<uuid:public_id>/find/", booking.find_slot, name="find_slot"),
    path("orders/<uuid:public_id>/series/", series.series, name="series"),
    path("patients/<uuid:public_id>/appointments.ics", calendar.patient_calendar, name="ics"),
    path("shifts/", rota.shifts, name="shifts"),
    path("shifts/<uuid:public_id>/remove/", rota.shift_remove, name="shift_remove"),
    path("closures/", rota.closures, name="closures"),
    path("closures/<uuid:public_id>/remove/", rota.closure_remove, name="closure_remove"),
    path("closures/holidays/", rota.holidays, name="holidays"),
    path("optimize/", optimize.optimize, name="optimize"),
    path("optimize/apply/", optimize.optimize_apply, name="optimize_apply"),
    path("optimize/<uuid:public_id>/", optimize.optimize_job, name="optimize_job"),
]
