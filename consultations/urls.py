from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "consultations"

urlpatterns = [
    path(_("consultation/"), views.ConsultationCreateView.as_view(), name="create"),
    path(_("consultation/thanks/"), views.ThanksView.as_view(), name="thanks"),
    path(_("privacy/"), views.PrivacyView.as_view(), name="privacy"),
    path(
        _("<slug:slug>/consultation/"),
        views.ConsultationCreateView.as_view(),
        name="create_for_location",
    ),
]
