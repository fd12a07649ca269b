from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Cổng dịch vụ công (Portal)"

    def ready(self):
        from portal import workdays  # noqa: F401  (connects the calendar-invalidation signals)
