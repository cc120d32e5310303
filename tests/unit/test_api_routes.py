"""The API's URL table, registered without importing the views, matches the resources."""

from forumapp.api.endpoints import RESOURCES, view_function
from forumapp.api.routes import ROUTES


def test_routes_name_the_resources_in_the_same_order() -> None:
    assert [(route.name, route.singular) for route in ROUTES] == [
        (resource.name, resource.singular) for resource in RESOURCES
    ]


def test_routes_offer_exactly_the_methods_the_resources_implement() -> None:
    for route, resource in zip(ROUTES, RESOURCES, strict=True):
        assert list(route.group_methods) == resource.group_methods, route.name
        assert list(route.item_methods) == resource.item_methods, route.singular


def test_every_routed_endpoint_has_a_view() -> None:
    for route in ROUTES:
        assert view_function(route.name).view_class.__name__ == "GroupAPI"  # type: ignore[attr-defined]
        if route.item_methods:
            assert view_function(route.singular).view_class.__name__ == "ItemAPI"  # type: ignore[attr-defined]
