from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/not-the-same/", views.person_unlink, name="unlink"),
    path("<int:pk>/correct/", views.person_correct, name="correct"),
    path("<int:pk>/correct/addresses/new/", views.address_add, name="address_add"),
    path(
        "<int:pk>/correct/addresses/<int:address_pk>/confidential/",
        views.address_confidential,
        name="address_confidential",
    ),
    path("<int:pk>/correct/addresses/<int:address_pk>/end/", views.address_end, name="address_end"),
    path("matching/", views.matching, name="matching"),
    path("matching/train/", views.matching_train, name="matching_train"),
    path("matching/duplicates/", views.duplicates, name="duplicates"),
    path("matching/duplicates/decide/", views.duplicate_decide, name="duplicate_decide"),
    path("national/<int:pk>/not-the-same/", views.national_not_same, name="national_not_same"),
]
