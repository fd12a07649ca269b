from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("dossier/<uuid:public_id>/", views.start, name="start"),
    path("vnpay/return/", views.gateway_return, name="return"),
    path("vnpay/ipn/", views.ipn, name="ipn"),
    path("receipt/<uuid:public_id>/", views.receipt, name="receipt"),
    path("sandbox/pay/", views.sandbox_pay, name="sandbox_pay"),
    path("sandbox/api/", views.sandbox_api, name="sandbox_api"),
]
