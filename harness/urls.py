"""The harness serves WebSockets only; HTTP gets Django's 404."""

urlpatterns: list = []
