from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("locations/", views.FinderView.as_view(), name="finder"),
    path("<slug:slug>/", views.LocationDetailView.as_view(), name="location"),
    path("<slug:slug>/isotretinoin/", views.IsotretinoinView.as_view(), name="isotretinoin"),
]
