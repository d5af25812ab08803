from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Section 1557 notices; before the slug routes, whose slugs must not take these words.
    path(_("nondiscrimination/"), views.NondiscriminationView.as_view(), name="nondiscrimination"),
    path(
        _("language-assistance/"),
        views.LanguageAssistanceView.as_view(),
        name="language_assistance",
    ),
    path(_("locations/"), views.FinderView.as_view(), name="finder"),
    path("<slug:slug>/", views.LocationDetailView.as_view(), name="location"),
    path(_("<slug:slug>/isotretinoin/"), views.IsotretinoinView.as_view(), name="isotretinoin"),
]
