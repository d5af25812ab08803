from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("consultation/", views.ConsultationCreateView.as_view(), name="create"),
    path("consultation/thanks/", views.ThanksView.as_view(), name="thanks"),
    path(
        "<slug:slug>/consultation/",
        views.ConsultationCreateView.as_view(),
        name="create_for_location",
    ),
]
