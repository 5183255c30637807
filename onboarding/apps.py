from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from onboarding.nav import remember_links

        # The nav's links are read once at sign-in, so no page pays a query
        # for them (onboarding/nav.py).
        user_logged_in.connect(remember_links, dispatch_uid="onboarding.nav")
