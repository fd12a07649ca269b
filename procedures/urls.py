from django.urls import path

from procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("address/wards/", views.address_wards, name="address_wards"),
    path("<str:code>/", views.detail, name="detail"),
]
