from dossiers.views import citizen, filing

app_name = "dossiers"
urlpatterns = [*filing.urlpatterns, *citizen.urlpatterns]
