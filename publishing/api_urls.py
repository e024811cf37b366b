"""Publishing API under /api/v1/publishing/."""

urlpatterns: list = []
