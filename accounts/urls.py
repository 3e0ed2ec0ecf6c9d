from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("session/", views.session, name="session"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_add, name="user_add"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/roles/<int:grant_pk>/remove/", views.role_revoke, name="role_revoke"),
    path("users/<int:pk>/roles/waiting/<int:pending_pk>/approve/", views.role_approve, name="role_approve"),
    path("users/<int:pk>/roles/waiting/<int:pending_pk>/refuse/", views.role_refuse, name="role_refuse"),
]
