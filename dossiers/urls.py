from django.urls import include, path

from dossiers.views import citizen, filing, officer

app_name = "dossiers"
urlpatterns = [
    *filing.urlpatterns,
    *citizen.urlpatterns,
    # The back office (issue 7): every URL under /officer/, so the MFA guard applies.
    path("officer/", include((officer.urlpatterns, "officer"))),
]
