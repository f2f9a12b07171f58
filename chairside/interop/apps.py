from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "chairside.interop"
    label = "interop"
    verbose_name = "Interfaces (HL7 v2, CSV import)"

    def ready(self) -> None:
        from chairside.access.authorizations.events import register_authorization_links
        from chairside.interop import eligibility, feed, prior_auth_views

        feed.register()
        eligibility.register()
        register_authorization_links(prior_auth_views.authorization_links)
