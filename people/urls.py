from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/not-the-same/", views.person_unlink, name="unlink"),
    path("matching/", views.matching, name="matching"),
    path("matching/train/", views.matching_train, name="matching_train"),
    path("matching/duplicates/", views.duplicates, name="duplicates"),
    path("matching/duplicates/decide/", views.duplicate_decide, name="duplicate_decide"),
    path("national/<int:pk>/not-the-same/", views.national_not_same, name="national_not_same"),
]
