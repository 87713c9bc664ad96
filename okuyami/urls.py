from django.urls import path

from okuyami import views

app_name = "okuyami"
urlpatterns = [
    path("", views.home, name="home"),
]
